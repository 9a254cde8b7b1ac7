import { render } from 'ink';
import { McpgwError } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import type { SessionCreateRequest } from '../../src/protocol/requests.js';
import { connectDaemon } from '../client/connect.js';
import { policyRequest } from '../client/policy.js';
import { ChatApp } from './ChatApp.js';
import { ChatController } from './controller.js';
import type { SessionTarget } from './session-pick.js';

export interface ChatOptions {
  /** Server catalog for an mcpd this command has to start. */
  config?: string;
  /** Start a new session instead of resuming the latest one. */
  new?: boolean;
  /** Open this session (id or unique prefix). */
  session?: string;
  /** For a new session: the servers it may use (default: all enabled). */
  servers?: string[];
  /** For a new session: the Gemini model. */
  model?: string;
  /** For a new session: a policy preset name (ask, read-only, all) or a policy file (YAML/JSON). */
  policy?: string;
}

/** The streams the chat uses; tests and the CLI pass their own. */
export interface ChatIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

/**
 * `mcpgw chat`: the interactive client. Returns the exit code; failures before the screen opens (mcpd cannot start,
 * no such session, a bad policy file) are thrown as McpgwError for the CLI to report in one line.
 */
export async function runChat(
  options: ChatOptions,
  io: ChatIO = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  if (!io.stdin.isTTY) {
    io.stderr.write('mcpgw chat needs an interactive terminal (stdin is not a TTY).\nFor scripts and pipes use: mcpgw run "your prompt"\n');
    return EXIT.usage;
  }
  const target = chooseTarget(options);
  const create = await createRequest(options);
  const env = io.env ?? process.env;
  const controller = new ChatController({
    create,
    connect: (attempt) =>
      connectDaemon({
        // Only the first connection starts mcpd: one that went away while we chat may be restarting by itself.
        autoStart: attempt === 0,
        config: options.config,
        env,
        onStarting: () => void io.stderr.write('Starting mcpd…\n'),
      }),
    clearScreen: () => void io.stdout.write(CLEAR_SCREEN),
  });
  try {
    await controller.start(target);
  } catch (err) {
    controller.close();
    throw err;
  }
  const app = render(<ChatApp controller={controller} />, {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await Promise.race([controller.done, app.waitUntilExit()]);
  app.unmount();
  await app.waitUntilExit().catch(() => undefined);
  controller.close();
  return EXIT.ok;
}

/** Which session the flags ask for; flags that shape a new session start one rather than being ignored. */
export function chooseTarget(options: ChatOptions): SessionTarget {
  const shaping = [options.servers && '--servers', options.model && '--model', options.policy && '--auto-approve-policy'].filter(Boolean);
  if (options.session !== undefined) {
    if (options.new) throw new McpgwError('bad_request', '--new and --session cannot be used together');
    if (shaping.length > 0)
      throw new McpgwError(
        'bad_request',
        `${shaping.join(', ')} only apply to a new session; drop them, or use --new instead of --session`,
      );
    return { kind: 'id', id: options.session };
  }
  return options.new || shaping.length > 0 ? { kind: 'new' } : { kind: 'resume' };
}

/** The session:create request for the flags (a policy file is read here: mcpd may not see the same files). */
export async function createRequest(options: ChatOptions): Promise<SessionCreateRequest> {
  const policy = await policyRequest(options.policy);
  return {
    ...(options.servers?.length ? { servers: options.servers } : {}),
    ...(options.model ? { model: options.model } : {}),
    ...(policy ? { policy } : {}),
  };
}
