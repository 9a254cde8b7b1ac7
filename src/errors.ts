/** Error codes that may cross a process boundary (CLI exit, Socket.io ack). Anything else becomes `internal`. */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'config_invalid',
  'server_unavailable',
  'image_missing',
  'image_build_failed',
  'docker_unavailable',
  'sandbox_start_failed',
  'sandbox_crashed',
  'sandbox_oom',
  'sandbox_timeout',
  'message_too_large',
  'tool_failed',
  'capacity',
  'cancelled',
  'redis_unavailable',
  'model_error',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The project's error: a stable string code for machines, a message for people, and the cause for logs. */
export class McpgwError extends Error {
  override readonly name = 'McpgwError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
  readonly details: Record<string, unknown> | undefined;
}

/** True when `err` is an McpgwError (optionally with the given code). */
export function isMcpgwError(err: unknown, code?: ErrorCode): err is McpgwError {
  return err instanceof McpgwError && (code === undefined || err.code === code);
}

/** A one-line, human-readable message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
