/**
 * Newline framing for stdio streams with a cap on one line's size.
 *
 * The SDK's ReadBuffer concatenates the whole pending buffer on every chunk (quadratic for big messages) and, once
 * over its cap, keeps appending the rest of the line. This framer keeps chunks in a list, joins them once per line,
 * and after the cap is hit discards bytes up to the next newline while remembering the line's head and tail, so the
 * caller can still tell which request the dropped response belonged to.
 */
export type Frame = { kind: 'line'; line: string } | { kind: 'oversize'; bytes: number; head: string; tail: string };

const EDGE_BYTES = 256;
const NEWLINE = 0x0a;

export class LineFramer {
  private chunks: Buffer[] = [];
  private pending = 0;
  private discarding = false;
  private discarded = 0;
  private head = '';
  private tail: Buffer = Buffer.alloc(0);

  constructor(private readonly maxLineBytes: number) {}

  /** True while the framer is dropping the rest of an over-long line. */
  get overflowing(): boolean {
    return this.discarding;
  }

  /** Feeds one chunk; returns the complete lines (and oversize reports) it finished, in order. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const frame = this.endLine(chunk.subarray(start, nl));
      if (frame) frames.push(frame);
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
    return frames;
  }

  /** Returns the unfinished last line, if any, and forgets it (for streams that ended without a newline). */
  drain(): string | undefined {
    const rest = this.discarding ? undefined : Buffer.concat(this.chunks).toString('utf8');
    this.reset();
    return rest?.trim() ? rest : undefined;
  }

  /** Drops whatever partial line is buffered. */
  reset(): void {
    this.chunks = [];
    this.pending = 0;
    this.discarding = false;
    this.discarded = 0;
    this.head = '';
    this.tail = Buffer.alloc(0);
  }

  private append(part: Buffer): void {
    if (this.discarding) {
      this.discarded += part.length;
      this.keepTail(part);
      return;
    }
    if (this.pending + part.length > this.maxLineBytes) {
      const joined = Buffer.concat([...this.chunks, part]);
      this.discarding = true;
      this.discarded = joined.length;
      this.head = joined.subarray(0, EDGE_BYTES).toString('utf8');
      this.keepTail(joined);
      this.chunks = [];
      this.pending = 0;
      return;
    }
    // Copy: the source chunk may be a slice of a pooled buffer that is reused after this call.
    this.chunks.push(Buffer.from(part));
    this.pending += part.length;
  }

  private endLine(part: Buffer): Frame | undefined {
    if (this.discarding) {
      this.keepTail(part);
      const frame: Frame = {
        kind: 'oversize',
        bytes: this.discarded + part.length,
        head: this.head,
        tail: this.tail.toString('utf8'),
      };
      this.reset();
      return frame;
    }
    if (this.pending + part.length > this.maxLineBytes) {
      const joined = Buffer.concat([...this.chunks, part]);
      this.reset();
      return {
        kind: 'oversize',
        bytes: joined.length,
        head: joined.subarray(0, EDGE_BYTES).toString('utf8'),
        tail: joined.subarray(-EDGE_BYTES).toString('utf8'),
      };
    }
    const line = (this.chunks.length === 0 ? part : Buffer.concat([...this.chunks, part])).toString('utf8');
    this.chunks = [];
    this.pending = 0;
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    return trimmed.trim() === '' ? undefined : { kind: 'line', line: trimmed };
  }

  private keepTail(part: Buffer): void {
    this.tail =
      part.length >= EDGE_BYTES ? Buffer.from(part.subarray(-EDGE_BYTES)) : Buffer.concat([this.tail, part]).subarray(-EDGE_BYTES);
  }
}

const ID_AT_END = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*\}\s*$/;
const ID_AT_START = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")/;

/** Finds the JSON-RPC id of a message from its last or first bytes (the SDK writes `id` last, others first). */
export function sniffJsonRpcId(head: string, tail: string): string | number | undefined {
  const raw = ID_AT_END.exec(tail)?.[1] ?? ID_AT_START.exec(head)?.[1];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as string | number;
  } catch {
    return undefined;
  }
}
