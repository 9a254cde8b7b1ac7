import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { McpgwError } from '../../src/errors.js';
import { formatBytes } from '../../src/text/bytes.js';
import { LineFramer, sniffJsonRpcId } from './framing.js';
import type { OutputBudget } from './output-budget.js';
import { StderrLog } from './stderr-log.js';

/** JSON-RPC error code used when a response was dropped for exceeding the message cap. */
export const MESSAGE_TOO_LARGE_CODE = -32_099;

/**
 * The start of a log or progress notification, as the SDK (method first) or others (jsonrpc first) write it. Such
 * a line is a notification, never a response, so dropping it unparsed cannot lose the answer to a call. A dropped
 * progress notification does not restart its call's timeout; the ones within budget (dozens a second) still do.
 */
const OUTPUT_NOTIFICATION = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"method"\s*:\s*"notifications\/(?:message|progress)"/;

export type Terminate = (signal: 'SIGTERM' | 'SIGKILL') => Promise<void>;

export interface DockerStreamTransportOptions {
  /** The server's stdin (the attach stream's write side). */
  stdin: Writable;
  /** The server's stdout, already demultiplexed: JSON-RPC only. */
  stdout: Readable;
  /** The server's stderr, already demultiplexed: surfaced as log lines, never parsed. */
  stderr?: Readable;
  maxMessageBytes?: number;
  onStderrLine?: (line: string) => void;
  /**
   * The sandbox's output budget: stderr lines are charged to it, and log and progress notifications that arrive
   * while it is exhausted are dropped here, unparsed (a flood then costs a regex per line, not a parse and an event).
   */
  budget?: OutputBudget;
  /** Signals the process behind the streams; used by close() when closing stdin is not enough. */
  terminate?: Terminate;
  /** How long each close step waits for the server to exit before escalating. */
  closeGraceMs?: number;
}

/**
 * An MCP Transport over a container's attached stdio. Streams are handed in, so tests drive it with plain
 * PassThroughs; the docker specifics (attach, demux, exit status) live in the Sandbox.
 */
export class DockerStreamTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly stderrLog: StderrLog;
  private readonly framer: LineFramer;
  private readonly maxMessageBytes: number;
  private readonly queue: JSONRPCMessage[] = [];
  private delivering = false;
  private started = false;
  private closed = false;
  private readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor(private readonly opts: DockerStreamTransportOptions) {
    this.maxMessageBytes = opts.maxMessageBytes ?? 16 * 1024 * 1024;
    this.framer = new LineFramer(this.maxMessageBytes);
    this.stderrLog = new StderrLog(opts.onStderrLine, opts.budget);
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  /** True while an over-long message is being dropped. */
  get overflowing(): boolean {
    return this.framer.overflowing;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('DockerStreamTransport already started');
    this.started = true;
    const { stdout, stderr, stdin } = this.opts;
    stdout.on('data', this.onStdout);
    stdout.once('end', this.onStreamEnd);
    stdout.once('close', this.onStreamEnd);
    stdout.on('error', this.onStreamError);
    stdin.on('error', this.onStreamError);
    stderr?.on('data', (chunk: Buffer) => this.stderrLog.push(chunk));
    stderr?.on('error', () => undefined);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new McpgwError('sandbox_crashed', 'the server has exited; cannot send');
    const { stdin } = this.opts;
    const ok = stdin.write(serializeMessage(message));
    if (!ok) await waitForDrain(stdin, this.ended);
  }

  /** Closes stdin, then escalates to SIGTERM and SIGKILL if the server does not exit in time. */
  async close(): Promise<void> {
    if (this.closed) return;
    const grace = this.opts.closeGraceMs ?? 2000;
    this.opts.stdin.end();
    if (!(await settlesWithin(this.ended, grace)) && this.opts.terminate) {
      await this.opts.terminate('SIGTERM').catch(() => undefined);
      if (!(await settlesWithin(this.ended, grace))) await this.opts.terminate('SIGKILL').catch(() => undefined);
    }
    this.finish();
  }

  private readonly onStdout = (chunk: Buffer): void => {
    const batch: JSONRPCMessage[] = [];
    const budget = this.opts.budget;
    for (const frame of this.framer.push(chunk)) {
      if (frame.kind === 'oversize') {
        this.reportOversize(frame.bytes, sniffJsonRpcId(frame.head, frame.tail));
        continue;
      }
      if (budget && OUTPUT_NOTIFICATION.test(frame.line) && budget.refuses()) {
        budget.drop(Buffer.byteLength(frame.line, 'utf8'));
        continue;
      }
      let message: JSONRPCMessage;
      try {
        message = deserializeMessage(frame.line);
      } catch (err) {
        const preview = frame.line.length > 120 ? `${frame.line.slice(0, 117)}...` : frame.line;
        this.onerror?.(new McpgwError('bad_request', `server wrote a non JSON-RPC line to stdout: ${preview}`, { cause: err }));
        continue;
      }
      batch.push(message);
    }
    if (batch.length > 0) void this.deliver(batch);
  };

  /**
   * Hands messages to the SDK in order. The SDK runs notification handlers a microtask later but responses at once,
   * so a progress notification followed by its response would find its handler already gone. After each
   * notification this yields one microtask, and anything that arrives meanwhile (the demuxer may write the next
   * frame in the same tick) waits in the queue, so the SDK sees the messages in the order the server wrote them.
   */
  private async deliver(batch: JSONRPCMessage[]): Promise<void> {
    this.queue.push(...batch);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let message = this.queue.shift(); message; message = this.queue.shift()) {
        this.onmessage?.(message);
        if (!('id' in message)) await Promise.resolve();
      }
    } finally {
      this.delivering = false;
    }
  }

  private reportOversize(bytes: number, id: string | number | undefined): void {
    const text = `server message of ${formatBytes(bytes)} exceeds the ${formatBytes(this.maxMessageBytes)} cap and was dropped`;
    this.onerror?.(new McpgwError('message_too_large', text));
    // Answer the request the dropped response belonged to, so its caller fails now with a clear reason.
    if (id !== undefined) void this.deliver([{ jsonrpc: '2.0', id, error: { code: MESSAGE_TOO_LARGE_CODE, message: text } }]);
  }

  private readonly onStreamEnd = (): void => this.finish();

  private readonly onStreamError = (err: Error): void => {
    this.onerror?.(err);
  };

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.stderrLog.flush();
    this.resolveEnded();
    this.opts.stdout.off('data', this.onStdout);
    this.onclose?.();
  }
}

function waitForDrain(stream: Writable, ended: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      resolve();
    };
    stream.once('drain', done);
    void ended.then(done);
  });
}

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
