import { LineFramer } from './framing.js';

const MAX_LINE_BYTES = 8 * 1024;
const TAIL_LINES = 40;
const LINES_PER_SECOND = 200;

/**
 * Splits a server's stderr into lines, keeps the last few for crash reports, and forwards them at a bounded rate
 * so a chatty or hostile server cannot flood the daemon's clients.
 */
export class StderrLog {
  private readonly framer = new LineFramer(MAX_LINE_BYTES);
  private readonly lines: string[] = [];
  private windowStart = 0;
  private sentInWindow = 0;
  private dropped = 0;

  constructor(private readonly onLine?: (line: string) => void) {}

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

  /** Records an unfinished last line and emits the drop summary; called when the stream ends. */
  flush(): void {
    const rest = this.framer.drain();
    if (rest !== undefined) this.record(rest);
    if (this.dropped > 0) this.emitDropped();
  }

  private record(line: string): void {
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
    if (!this.onLine) return;
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      if (this.dropped > 0) this.emitDropped();
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    if (this.sentInWindow >= LINES_PER_SECOND) {
      this.dropped++;
      return;
    }
    this.sentInWindow++;
    this.onLine(line);
  }

  private emitDropped(): void {
    this.onLine?.(`[mcpgw] ${this.dropped} stderr lines dropped (more than ${LINES_PER_SECOND}/s)`);
    this.dropped = 0;
  }
}
