import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, watch } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const TEST_CONFIG = path.join(ROOT, 'test/fixtures/servers.json');
/** mcpd from the sources, as `MCPGW_MCPD` (the client splits it on spaces) and as argv. */
export const MCPD_COMMAND = [process.execPath, '--import', 'tsx', path.join(ROOT, 'bin/mcpd.ts')];

/** Starts mcpd as a child of the test and resolves once it listens. */
export function startMcpd(env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<ChildProcess> {
  const [command = 'node', ...args] = MCPD_COMMAND;
  const child = spawn(command, [...args, '--config', TEST_CONFIG, '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mcpd did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/listening on http/.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mcpd exited with code ${code} before it listened:\n${output}`));
    });
  });
}

/** Stops a child mcpd with SIGTERM and waits for it to exit (it removes its containers first). */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Stops the mcpd of a state dir that some other process started (the chat's auto-start): SIGTERM, then wait until
 * it releases its lock, its last step before exiting, after its sandboxes are removed.
 */
export async function stopStateDirDaemon(stateDir: string, timeoutMs = 120_000): Promise<void> {
  const info = path.join(stateDir, 'daemon.json');
  const lock = path.join(stateDir, 'mcpd.lock');
  if (!existsSync(info)) return;
  const { pid } = JSON.parse(readFileSync(info, 'utf8')) as { pid: number };
  const released = new Promise<void>((resolve, reject) => {
    const watcher = watch(stateDir, () => {
      if (!existsSync(lock)) finish();
    });
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`mcpd (pid ${pid}) did not stop within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      watcher.close();
      resolve();
    };
    if (!existsSync(lock)) finish();
  });
  process.kill(pid, 'SIGTERM');
  await released;
  // The lock goes before the process does (its last log lines, its private Redis): wait for the exit, so the test's
  // removal of the state dir does not race the files still being written.
  for (const started = Date.now(); isAlive(pid) && Date.now() - started < timeoutMs;) await new Promise((r) => setTimeout(r, 50));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The environment of `mcpgw chat` in a pty against a state-dir mcpd that it starts itself (MCPGW_MCPD), talking to
 * the fake Gemini. CI markers are removed: Ink prints nothing live when it believes it runs in CI.
 */
export function ptyEnv(stateDir: string, geminiBaseUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MCPGW_STATE_DIR: stateDir,
    GEMINI_API_KEY: 'test',
    GOOGLE_GEMINI_BASE_URL: geminiBaseUrl,
    MCPGW_MCPD: MCPD_COMMAND.join(' '),
    TERM: 'xterm-256color',
    ...extra,
  };
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION', 'MCPGW_URL', 'MCPGW_TOKEN']) delete env[name];
  return env;
}
