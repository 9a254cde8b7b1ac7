import { appendFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { escapeJsonText } from '../src/text/safe-json.js';
import { ensurePrivateDir } from './state/private-files.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const MAX_BYTES = 10 * 1024 * 1024;
const KEEP = 2;

/** The daemon's logger: one JSON object a line, so logs can be grepped and parsed. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

type Sink = (line: string) => void;

export interface LoggerOptions {
  file?: string;
  /** Rotate the file when a line would take it past this size (default 10 MiB)… */
  maxBytes?: number;
  /** …keeping this many older files, FILE.1 the newest (default 2). */
  keep?: number;
  sink?: Sink;
  alsoStderr?: boolean;
  level?: LogLevel;
  fields?: Record<string, unknown>;
}

/** A logger that writes JSON lines to a file (0600, in a 0700 dir, rotated by size) or a custom sink, optionally also to stderr. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = ORDER[options.level ?? 'info'];
  let sink: Sink = options.sink ?? (() => undefined);
  if (options.file) sink = rotatingFileSink(options.file, options.maxBytes ?? MAX_BYTES, Math.max(1, options.keep ?? KEEP));
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
      // Log fields can hold a server's text and `--log-stderr` reaches a terminal: DEL, C1 and bidi are escaped too.
      sink(`${escapeJsonText(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields }, errorReplacer))}\n`);
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

/**
 * Appends lines to `file`, rotating by size while the daemon runs (not only at start): a busy or flooded daemon can
 * use at most (keep + 1) × maxBytes of disk for its log.
 */
function rotatingFileSink(file: string, maxBytes: number, keep: number): Sink {
  ensurePrivateDir(path.dirname(file));
  let size = fileSize(file);
  const rotate = (): void => {
    try {
      for (let i = keep - 1; i >= 1; i--) renameIfExists(`${file}.${i}`, `${file}.${i + 1}`);
      renameIfExists(file, `${file}.1`);
    } catch {
      // A failed rotation must not stop logging; the next line tries again.
    }
    size = fileSize(file);
  };
  if (size > maxBytes) rotate();
  return (line) => {
    const bytes = Buffer.byteLength(line);
    if (size > 0 && size + bytes > maxBytes) rotate();
    appendFileSync(file, line, { mode: 0o600 });
    size += bytes;
  };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code, stack: value.stack };
  return value;
}

/** A logger that drops everything (tests that do not care). */
export const silentLogger: Logger = createLogger();
