import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../../src/config/catalog.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import { formatBytes } from '../../src/text/bytes.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import type { ContainerEngine, ExitStatus } from './engine.js';
import { MESSAGE_TOO_LARGE_CODE, type DockerStreamTransport } from './transport.js';

/** How a sandbox's process ended, with the last of what it wrote to stderr. */
export interface SandboxExit extends ExitStatus {
  stderrTail: string[];
  /** True when mcpgw closed it; false for a crash. */
  expected: boolean;
}

export interface FailureContext {
  server: ServerConfig;
  /** The request that failed (`tools/call echo`, `initialize`…). */
  what: string;
  /** The timeout that ran out, if it was one. */
  timeoutMs: number;
  maxMessageBytes: number;
  /** The server is writing a message over the cap (its reader is discarding it). */
  overflowing: boolean;
  /** The sandbox was ready; a failure outside that state is a crash or an exit. */
  running: boolean;
  exited: Promise<SandboxExit>;
}

/** Turns an SDK or transport failure into one clear McpgwError: size, timeout, crash/OOM (with stderr), or the server's own error. */
export async function explainFailure(err: unknown, ctx: FailureContext): Promise<McpgwError> {
  const { name } = ctx.server;
  const { what } = ctx;
  if (err instanceof McpgwError) return err;
  if (err instanceof McpError && err.code === MESSAGE_TOO_LARGE_CODE) {
    return new McpgwError('message_too_large', `"${name}" ${what}: ${err.message.replace(/^MCP error -?\d+: /, '')}`);
  }
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
    if (ctx.overflowing) {
      return new McpgwError(
        'message_too_large',
        `"${name}" ${what}: the server is writing a message over the ${formatBytes(ctx.maxMessageBytes)} cap`,
      );
    }
    return new McpgwError('sandbox_timeout', `"${name}" ${what} timed out after ${(ctx.timeoutMs / 1000).toFixed(1)}s`, { cause: err });
  }
  if (!ctx.running || (err instanceof McpError && err.code === ErrorCode.ConnectionClosed)) {
    const exit = await settleWithin(ctx.exited, 5000);
    if (exit) return crashError(name, exit, ctx.server.limits.memoryBytes);
    return new McpgwError('sandbox_crashed', `"${name}" closed its connection during ${what}`, { cause: err });
  }
  // The server chose this text (an error response may be megabytes): it is cut like any other server output.
  const message = truncateMiddle(errorMessage(err), MAX_ERROR_CHARS).text;
  return new McpgwError('tool_failed', `"${name}" ${what} failed: ${message}`, { cause: err });
}

/** How much of a server's own error text a failure message keeps. */
const MAX_ERROR_CHARS = 4000;

/** The exit status from `wait`, or from inspect once the stream has ended (if wait missed a very fast exit). */
export function raceExit(
  engine: ContainerEngine,
  id: string,
  waited: Promise<ExitStatus>,
  transport: DockerStreamTransport,
): Promise<ExitStatus> {
  const streamEnded = new Promise<void>((resolve) => {
    const previous = transport.onclose;
    transport.onclose = () => {
      previous?.();
      resolve();
    };
  });
  // Once the stream has ended, poll inspect as a fallback for a wait that registered too late.
  const polled = streamEnded.then(async () => {
    for (let i = 0; i < 50; i++) {
      await delay(i === 0 ? 1000 : 200);
      const info = await engine.inspectExit(id);
      if (info === undefined) return { exitCode: -1, oomKilled: false };
      if (!info.running) return { exitCode: info.exitCode, oomKilled: info.oomKilled };
    }
    return new Promise<ExitStatus>(() => undefined);
  });
  return Promise.race([waited.catch(() => polled), polled]);
}

function crashError(name: string, exit: SandboxExit, memoryBytes: number): McpgwError {
  const tail = exit.stderrTail.slice(-5).join('\n    ');
  const stderr = tail ? `; last stderr:\n    ${tail}` : '';
  if (exit.oomKilled) {
    return new McpgwError('sandbox_oom', `"${name}" was OOM-killed (memory limit ${formatBytes(memoryBytes)})${stderr}`, {
      details: { ...exit },
    });
  }
  return new McpgwError('sandbox_crashed', `"${name}" exited with code ${exit.exitCode}${stderr}`, { details: { ...exit } });
}

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
    void promise.then((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
