import { z } from 'zod';

const MEMORY_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a Docker-style memory size ("512m", "1g", "65536") into bytes; undefined when malformed. */
export function parseMemory(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(value.trim());
  if (!match) return undefined;
  const unit = MEMORY_UNITS[(match[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * unit);
  return bytes > 0 ? bytes : undefined;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration ("30s", "15m", "7d", "250ms", or a number of milliseconds) into milliseconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i.exec(value.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (DURATION_UNITS[(match[2] ?? 'ms').toLowerCase()] ?? 1);
  return ms > 0 ? ms : undefined;
}

/** A zod schema for a size or duration given as text or a number, parsed by `parse` (the issue says what to write). */
function unitSchema(parse: (value: string | number) => number | undefined, expected: string) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const parsed = parse(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
      return z.NEVER;
    }
    return parsed;
  });
}

/** Bytes, from "512m", "1g" or a number. */
export const memorySchema = unitSchema(parseMemory, 'a memory size like "512m" or "1g"');

/** Milliseconds, from "30s", "15m", "7d" or a number. */
export const durationSchema = unitSchema(parseDuration, 'a duration like "30s", "15m" or milliseconds');
