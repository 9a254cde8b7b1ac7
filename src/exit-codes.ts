import type { ErrorCode } from './errors.js';

/** Process exit codes of every mcpgw command, documented in README.md. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  docker: 3,
  image: 4,
  sandbox: 5,
  daemon: 6,
  model: 7,
  denied: 8,
  interrupted: 130,
} as const;

/** Maps an error code to the exit code a script can branch on. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'bad_request':
    case 'config_invalid':
    case 'server_unavailable':
    case 'not_found':
      return EXIT.usage;
    case 'docker_unavailable':
      return EXIT.docker;
    case 'image_missing':
    case 'image_build_failed':
      return EXIT.image;
    case 'sandbox_start_failed':
    case 'sandbox_crashed':
    case 'sandbox_oom':
    case 'sandbox_timeout':
    case 'message_too_large':
    case 'tool_failed':
    case 'capacity':
      return EXIT.sandbox;
    case 'redis_unavailable':
    case 'unauthorized':
    case 'forbidden':
    case 'conflict':
      return EXIT.daemon;
    case 'model_error':
      return EXIT.model;
    case 'cancelled':
      return EXIT.interrupted;
    case 'internal':
      return EXIT.failure;
  }
}
