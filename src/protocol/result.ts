import { ERROR_CODES, McpgwError, type ErrorCode } from '../errors.js';

/** The error shape that crosses the wire: a fixed code and a message safe to show. */
export interface WireError {
  code: ErrorCode;
  message: string;
}

/** Every acknowledgement carries a Result. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError };

export type Ack<T> = (result: Result<T>) => void;

/** A successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed result with a wire code. */
export function fail(code: ErrorCode, message: string): { ok: false; error: WireError } {
  return { ok: false, error: { code, message } };
}

/** Maps any thrown value to a wire error: known codes keep their message, anything else becomes `internal`. */
export function toWireError(err: unknown): WireError {
  if (err instanceof McpgwError && (ERROR_CODES as readonly string[]).includes(err.code)) return { code: err.code, message: err.message };
  return { code: 'internal', message: 'internal error (details are in the daemon log)' };
}

/** Unwraps a Result on the client side, throwing an McpgwError with the wire code. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new McpgwError(result.error.code, result.error.message);
}
