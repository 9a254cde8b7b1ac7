import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const MAX_BYTES = 10 * 1024 * 1024;

/** The daemon's logger: one JSON object a line, so logs can be grepped and parsed. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

type Sink = (line: string) => void;

/** A logger that writes JSON lines to a file (rotated once at 10 MiB at open) or a custom sink, optionally also to stderr. */
export function createLogger(
  options: { file?: string; sink?: Sink; alsoStderr?: boolean; level?: LogLevel; fields?: Record<string, unknown> } = {},
): Logger {
  const level = ORDER[options.level ?? 'info'];
  let sink: Sink = options.sink ?? (() => undefined);
  if (options.file) {
    const file = options.file;
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      if (statSync(file).size > MAX_BYTES) renameSync(file, `${file}.1`);
    } catch {
      // no log yet
    }
    sink = (line) => appendFileSync(file, line, { mode: 0o600 });
  }
  if (options.alsoStderr) {
    const inner = sink;
    sink = (line) => {
      inner(line);
      process.stderr.write(line);
    };
  }
  const make = (base: Record<string, unknown>): Logger => {
    const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
      if (ORDER[lvl] < level) return;
      sink(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields }, errorReplacer)}\n`);
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.fields ?? {});
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code, stack: value.stack };
  return value;
}

/** A logger that drops everything (tests that do not care). */
export const silentLogger: Logger = createLogger();
