import { formatBytes } from '../../src/text/bytes.js';

/** How much text a sandbox may send people per second: stderr, log notifications, progress and error text together. */
export interface OutputLimits {
  bytesPerSecond: number;
  linesPerSecond: number;
}

/** The defaults of a server's `limits.outputRate` and `limits.outputLines`. */
export const DEFAULT_OUTPUT_LIMITS: OutputLimits = { bytesPerSecond: 64 * 1024, linesPerSecond: 200 };

/** A single line or message longer than this is cut (head kept, size noted) before it is counted or stored. */
export const MAX_LINE_BYTES = 8 * 1024;

/** The buckets hold this many seconds of the rate, so a short burst (a start-up banner, a stack trace) passes whole. */
const BURST_SECONDS = 4;

/** At most one "dropped" summary per this interval. */
const SUMMARY_INTERVAL_MS = 1000;

/**
 * One token bucket per sandbox, for bytes and for lines. What fits is forwarded (cut to MAX_LINE_BYTES); what does
 * not is only counted, and once per interval one summary line says how much was dropped. Nothing over budget is
 * queued, so a flood costs counters, not memory.
 */
export class OutputBudget {
  private bytes: number;
  private lines: number;
  private refilledAt: number;
  private droppedLines = 0;
  private droppedBytes = 0;
  private summaryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly limits: OutputLimits,
    /** Receives the summaries; they are mcpgw's own lines and are not charged to the budget. */
    private readonly onSummary: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.bytes = limits.bytesPerSecond * BURST_SECONDS;
    this.lines = limits.linesPerSecond * BURST_SECONDS;
    this.refilledAt = now();
  }

  /**
   * Charges one line: returns it (cut to the line cap) when the budget has credit, or undefined when it was dropped.
   * A line is admitted whole while any byte credit is left and may overdraw it (by at most one line); the debt is
   * paid back before anything else passes. So "is there credit" is the whole test, and `refuses` can answer it
   * before the line is even parsed.
   */
  admit(text: string): string | undefined {
    if (this.refuses()) {
      this.drop(byteLength(text));
      return undefined;
    }
    const line = cutLine(text);
    this.bytes -= byteLength(line);
    this.lines -= 1;
    return line;
  }

  /** True when the next line would be dropped, whatever it is; lets callers skip parsing what would be dropped. */
  refuses(): boolean {
    this.refill();
    return this.lines < 1 || this.bytes <= 0;
  }

  /** Counts a line that was dropped unread (see `refuses`). */
  drop(bytes: number): void {
    this.droppedLines++;
    this.droppedBytes += bytes;
    if (!this.summaryTimer && !this.closed) {
      this.summaryTimer = setTimeout(() => this.summarise(), SUMMARY_INTERVAL_MS);
      this.summaryTimer.unref();
    }
  }

  /** Emits the pending summary now and stops the timer (the sandbox is gone). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.summarise();
  }

  private summarise(): void {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    if (this.droppedLines === 0) return;
    const { droppedLines: lines, droppedBytes: bytes } = this;
    this.droppedLines = 0;
    this.droppedBytes = 0;
    const { bytesPerSecond, linesPerSecond } = this.limits;
    this.onSummary(
      `[mcpgw] … ${lines.toLocaleString('en-US')} line${lines === 1 ? '' : 's'} (${formatBytes(bytes)}) of server output dropped ` +
        `(over the budget of ${formatBytes(bytesPerSecond)}/s and ${linesPerSecond} lines/s)`,
    );
  }

  private refill(): void {
    const now = this.now();
    const elapsed = (now - this.refilledAt) / 1000;
    if (elapsed <= 0) return;
    this.refilledAt = now;
    const { bytesPerSecond, linesPerSecond } = this.limits;
    this.bytes = Math.min(bytesPerSecond * BURST_SECONDS, this.bytes + elapsed * bytesPerSecond);
    this.lines = Math.min(linesPerSecond * BURST_SECONDS, this.lines + elapsed * linesPerSecond);
  }
}

/** Cuts a line to MAX_LINE_BYTES of UTF-8, keeping its head and saying how much was cut. */
export function cutLine(text: string, max = MAX_LINE_BYTES): string {
  // Most lines are short: a UTF-16 length this small cannot exceed the cap in UTF-8.
  if (text.length * 3 <= max) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  const head = bytes
    .subarray(0, max - 64)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${head}… [${formatBytes(bytes.length - byteLength(head))} cut by mcpgw]`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
