import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DaemonClient } from '../../tui/client/client.js';
import { TEST_CONFIG_FILE, withTestRuntime } from './catalog.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Writes the test catalog, with overrides, as a standalone config file (relative paths made absolute). */
export function writeTestConfig(overrides: Record<string, unknown> = {}): string {
  const base = JSON.parse(readFileSync(TEST_CONFIG_FILE, 'utf8')) as {
    mcpServers: Record<string, { mounts?: string[]; build?: { npm: string[] } }>;
  };
  const dir = path.dirname(TEST_CONFIG_FILE);
  for (const server of Object.values(base.mcpServers)) {
    server.mounts = server.mounts?.map((m) => (m.startsWith('./') ? path.join(dir, m) : m));
    if (server.build) server.build.npm = server.build.npm.map((s) => (s.startsWith('./') ? path.join(dir, s) : s));
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcpgw-config-')), 'config.json');
  writeFileSync(file, JSON.stringify(withTestRuntime({ ...base, ...overrides }), null, 2));
  return file;
}

/** The real `mcpd` in its own process (run from source with tsx), for tests that kill it. */
export class McpdProcess {
  child: ChildProcess | undefined;
  url = '';
  /** Everything mcpd wrote to stdout and stderr. */
  output = '';
  constructor(
    readonly stateDir: string,
    readonly configFile: string,
    readonly env: Record<string, string> = {},
  ) {}

  static create(options: { config?: Record<string, unknown>; env?: Record<string, string> } = {}): McpdProcess {
    return new McpdProcess(mkdtempSync(path.join(tmpdir(), 'mcpgw-state-')), writeTestConfig(options.config), options.env);
  }

  get token(): string {
    return readFileSync(path.join(this.stateDir, 'token'), 'utf8').trim();
  }

  /** Starts mcpd and waits for its "listening on" line. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/mcpd.ts'), '--config', this.configFile, '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, MCPGW_STATE_DIR: this.stateDir, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.output = '';
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        this.output += d.toString();
        const match = /listening on (http:\/\/\S+)/.exec(this.output);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`mcpd exited with ${code}: ${this.output}`)));
    });
  }

  async client(): Promise<DaemonClient> {
    return new DaemonClient({ url: this.url, token: this.token }).connect();
  }

  /** Sends a signal and waits for the process to exit. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}
