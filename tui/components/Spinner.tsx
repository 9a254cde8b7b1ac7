import { useEffect, useState } from 'react';
import { formatElapsed } from '../../src/view/format.js';
import { theme } from './theme.js';
import { Text } from './Text.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Re-renders every `intervalMs` and returns how many ticks have passed (for spinners and clocks). */
export function useTicker(intervalMs: number, active = true): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((t) => t + 1), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, active]);
  return tick;
}

export interface SpinnerProps {
  label: string;
  /** When the wait began (epoch ms): shows the elapsed time next to the label. */
  since?: number;
  hint?: string;
}

/** A spinner with a label, elapsed time and an optional hint ("ctrl-c to cancel"). */
export function Spinner({ label, since, hint }: SpinnerProps) {
  const tick = useTicker(100);
  const frame = FRAMES[tick % FRAMES.length];
  return (
    <Text>
      <Text color={theme.accent}>{frame} </Text>
      <Text>{label}</Text>
      {since === undefined ? null : <Text dimColor>{` ${formatElapsed(Date.now() - since)}`}</Text>}
      {hint ? <Text dimColor>{` · ${hint}`}</Text> : null}
    </Text>
  );
}
