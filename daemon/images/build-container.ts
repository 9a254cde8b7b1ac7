import type { Readable } from 'node:stream';
import type { ContainerCreateOptions } from 'dockerode';
import { McpgwError } from '../../src/errors.js';
import { formatMs, formatSize } from '../../src/text/table.js';
import type { ContainerEngine, ExitStatus } from '../sandbox/engine.js';
import { LineFramer } from '../sandbox/framing.js';
import { redactCredentials } from './registry.js';

const MAX_LINE_BYTES = 4096;
/** A hostile build could print without end; the user sees this many lines, then a count of the rest. */
const MAX_FORWARDED_LINES = 400;
const TAIL_LINES = 12;

export interface BuildContainerRun {
  engine: ContainerEngine;
  spec: ContainerCreateOptions;
  /** A tar extracted at `/` before the container starts: the build context (never a host mount). */
  context: Readable;
  timeoutMs: number;
  /** What is being installed, for messages: "npm install x y". */
  what: string;
  onLine: (line: string) => void;
}

/**
 * Runs one throwaway build container to completion and hands its id to `collect` (which copies /app out) while it
 * still exists; the container is removed in every case: success, failure, timeout, or an error while collecting.
 */
export async function runBuildContainer<T>(run: BuildContainerRun, collect: (id: string) => Promise<T>): Promise<T> {
  const { engine } = run;
  const id = await engine.create(run.spec);
  let timer: NodeJS.Timeout | undefined;
  let succeeded = false;
  try {
    await engine.putArchive(id, '/', run.context);
    const output = new BuildOutput(run.onLine);
    const io = await engine.attach(id, { stdin: false });
    io.stdout.on('data', (c: Buffer) => output.push(c));
    io.stderr.on('data', (c: Buffer) => output.push(c));
    const ended = Promise.all([once(io.stdout, 'end'), once(io.stderr, 'end')]);
    const exited = engine.waitForExit(id);
    exited.catch(() => undefined); // after a timeout nobody awaits it, and removal may make it fail
    await engine.start(id);
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), run.timeoutMs);
    });
    const status = await Promise.race([exited, timedOut]);
    if (status === 'timeout') {
      await engine.kill(id, 'SIGKILL');
      throw new McpgwError(
        'image_build_failed',
        `${run.what} timed out after ${formatMs(run.timeoutMs)} (sandbox.build.timeout); the build container was removed`,
      );
    }
    // The exit can be reported before the last output is read: wait (briefly) for the streams to end.
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    output.flush();
    if (status.exitCode !== 0) throw failure(run, status, output.tail());
    const result = await collect(id);
    succeeded = true;
    return result;
  } finally {
    clearTimeout(timer);
    // A failed removal must not hide why the build failed; after a success it is the error to report.
    await engine.remove(id).catch((err: unknown) => {
      if (succeeded) throw err;
    });
  }
}

function failure(run: BuildContainerRun, status: ExitStatus, tail: string[]): McpgwError {
  const memory = run.spec.HostConfig?.Memory ?? 0;
  const why = status.oomKilled
    ? `was OOM-killed (build memory limit ${formatSize(memory)}, sandbox.build.memory)`
    : `failed (exit ${status.exitCode})`;
  const lines = tail.length > 0 ? `:\n  ${tail.join('\n  ')}` : '';
  return new McpgwError('image_build_failed', `${run.what} ${why} in the build container${lines}`);
}

function once(stream: Readable, event: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded) resolve();
    else stream.once(event, () => resolve());
  });
}

/** A build's output: split into lines, stripped of control characters and credentials, bounded, tail kept. */
export class BuildOutput {
  private readonly framer = new LineFramer(MAX_LINE_BYTES);
  private readonly lines: string[] = [];
  private forwarded = 0;
  private dropped = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    for (const frame of this.framer.push(chunk))
      this.record(frame.kind === 'line' ? frame.line : `${frame.head.slice(0, 200)}… [${frame.bytes} bytes cut]`);
  }

  flush(): void {
    const rest = this.framer.drain();
    if (rest !== undefined) this.record(rest);
    if (this.dropped > 0) this.onLine(`… ${this.dropped} more lines of build output not shown`);
    this.dropped = 0;
  }

  /** The last lines, for a failure message. */
  tail(): string[] {
    return this.lines.slice(-TAIL_LINES);
  }

  private record(raw: string): void {
    const line = cleanLine(raw);
    if (!line) return;
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
    if (this.forwarded < MAX_FORWARDED_LINES) {
      this.forwarded++;
      this.onLine(line);
    } else this.dropped++;
  }
}

/** One line of untrusted build output made safe to print: no terminal escapes or control characters, no credentials. */
export function cleanLine(raw: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const text = raw.replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
  return redactCredentials(text.trimEnd());
}
