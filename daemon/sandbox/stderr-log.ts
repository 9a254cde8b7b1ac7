import { LineFramer } from './framing.js';
import { MAX_LINE_BYTES, type OutputBudget } from './output-budget.js';

const TAIL_LINES = 40;

/**
 * Splits a server's stderr into lines, keeps the last few for crash reports, and forwards the ones the sandbox's
 * output budget admits, so a chatty or hostile server cannot flood the daemon's clients.
 */
export class StderrLog {
  private readonly framer = new LineFramer(MAX_LINE_BYTES);
  private readonly lines: string[] = [];

  constructor(
    private readonly onLine?: (line: string) => void,
    private readonly budget?: OutputBudget,
  ) {}

  /** The last lines written, oldest first. */
  tail(count = TAIL_LINES): string[] {
    return this.lines.slice(-count);
  }

  push(chunk: Buffer): void {
    for (const frame of this.framer.push(chunk)) {
      const line = frame.kind === 'line' ? frame.line : `${frame.head.slice(0, 200)}… [${frame.bytes} bytes cut]`;
      this.record(line);
    }
  }

  /** Records an unfinished last line; called when the stream ends. */
  flush(): void {
    const rest = this.framer.drain();
    if (rest !== undefined) this.record(rest);
  }

  private record(line: string): void {
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
    if (!this.onLine) return;
    const admitted = this.budget ? this.budget.admit(line) : line;
    if (admitted !== undefined) this.onLine(admitted);
  }
}
