import { useReducer, useRef } from 'react';
import { useKeys } from './keys.js';
import { theme } from './theme.js';
import { Text } from './Text.js';

export interface TextInputProps {
  value: string;
  onChange: (value: string) => void;
  onSubmit: (value: string) => void;
  /** Only the active input reads keys (an approval prompt takes them while it is open). */
  isActive?: boolean;
  prompt?: string;
  placeholder?: string;
  /** Earlier entries, oldest first, recalled with ↑/↓. */
  history?: readonly string[];
  /** Tab: the line completed (or undefined to leave it); applied only if nothing was typed meanwhile. */
  onTab?: (value: string) => Promise<string | undefined>;
}

/**
 * A one-line editor: typing, backspace, ←/→, ctrl-a/e (home/end), ctrl-u and ctrl-w (delete), ↑/↓ history, enter.
 * A paste arrives as one chunk; a newline at its end submits, like pressing enter.
 */
export function TextInput({ value, onChange, onSubmit, isActive = true, prompt = '> ', placeholder, history = [], onTab }: TextInputProps) {
  // Keys can arrive faster than React re-renders (one stdin read may hold several): the handler works on refs, so a
  // second key never sees the value from before the first.
  const live = useRef({ value, cursor: value.length, recall: undefined as number | undefined });
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  if (value !== live.current.value) live.current = { ...live.current, value, cursor: Math.min(live.current.cursor, value.length) };
  const at = live.current.cursor;

  const setCursor = (cursor: number): void => {
    live.current.cursor = cursor;
    rerender();
  };
  const set = (next: string, nextCursor: number): void => {
    live.current = { ...live.current, value: next, cursor: nextCursor };
    onChange(next);
    rerender();
  };

  useKeys(
    (input, key) => {
      const { value, cursor: at, recall } = live.current;
      if (key.return) {
        live.current = { value: '', cursor: 0, recall: undefined };
        onSubmit(value);
        return;
      }
      if (key.backspace || key.delete) {
        if (at > 0) set(value.slice(0, at - 1) + value.slice(at), at - 1);
        return;
      }
      if (key.leftArrow) return setCursor(Math.max(0, at - 1));
      if (key.rightArrow) return setCursor(Math.min(value.length, at + 1));
      if (key.home || (key.ctrl && input === 'a')) return setCursor(0);
      if (key.end || (key.ctrl && input === 'e')) return setCursor(value.length);
      if (key.ctrl && input === 'u') return set(value.slice(at), 0);
      if (key.ctrl && input === 'w') {
        const start = value.slice(0, at).replace(/\S+\s*$/, '').length;
        return set(value.slice(0, start) + value.slice(at), start);
      }
      if (key.upArrow || key.downArrow) {
        if (history.length === 0) return;
        const from = recall ?? history.length;
        const next = Math.max(0, Math.min(history.length, from + (key.upArrow ? -1 : 1)));
        const text = history[next] ?? '';
        live.current.recall = next === history.length ? undefined : next;
        return set(text, text.length);
      }
      if (key.tab && onTab) {
        void onTab(value).then((next) => {
          if (next !== undefined && live.current.value === value) set(next, next.length);
        });
        return;
      }
      if (key.ctrl || key.meta || key.tab || key.escape || input === '') return;
      const submits = input.length > 1 && /[\r\n]$/.test(input);
      const text = input.replace(/\r\n?/g, '\n').replace(/\n$/, '');
      const next = value.slice(0, at) + text + value.slice(at);
      if (submits) {
        live.current = { value: '', cursor: 0, recall: undefined };
        onSubmit(next);
        return;
      }
      set(next, at + text.length);
    },
    { isActive },
  );

  if (!isActive) {
    return (
      <Text dimColor multiline emoji>
        {prompt}
        {value}
      </Text>
    );
  }
  const shown = value === '' && placeholder;
  return (
    <Text multiline emoji>
      <Text color={theme.accent} bold>
        {prompt}
      </Text>
      {shown ? (
        <>
          <Text inverse>{placeholder.slice(0, 1)}</Text>
          <Text dimColor>{placeholder.slice(1)}</Text>
        </>
      ) : (
        <>
          {value.slice(0, at)}
          <Text inverse multiline emoji>
            {value.slice(at, at + 1) || ' '}
          </Text>
          {value.slice(at + 1)}
        </>
      )}
    </Text>
  );
}
