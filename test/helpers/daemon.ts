import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfigText } from '../../daemon/config/load.js';
import { createLogger } from '../../daemon/logger.js';
import { startDaemon, type Daemon, type DaemonDeps } from '../../daemon/main.js';
import { createGeminiModelClient, type ModelClient } from '../../daemon/agent/model/index.js';
import { DaemonClient } from '../../tui/client/client.js';
import { TEST_CONFIG_FILE, withTestRuntime } from './catalog.js';
import { engine } from './docker.js';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';

export interface TestDaemon {
  daemon: Daemon;
  stateDir: string;
  token: string;
  /** A connected client of the daemon's owner. */
  client(token?: string): Promise<DaemonClient>;
  stop(): Promise<void>;
}

/** Config overrides merged over the test catalog file (e.g. `{ daemon: { idleTimeout: '1s' } }`). */
export function testConfigWith(overrides: Record<string, unknown> = {}) {
  const base = JSON.parse(readFileSync(TEST_CONFIG_FILE, 'utf8')) as Record<string, unknown>;
  const merged = {
    ...withTestRuntime(base),
    ...overrides,
    daemon: { ...((base.daemon as object) ?? {}), ...((overrides.daemon as object) ?? {}) },
  };
  return parseConfigText(JSON.stringify(merged), TEST_CONFIG_FILE).catalog;
}

/** Starts mcpd in-process on a free port with its own state dir; Docker and Redis are real. */
export async function startTestDaemon(
  options: { config?: Record<string, unknown>; redisUrl?: string; model?: ModelClient; stateDir?: string } & Partial<
    Pick<DaemonDeps, 'janitorIntervalMs' | 'env' | 'egress'>
  > = {},
): Promise<TestDaemon> {
  const stateDir = options.stateDir ?? mkdtempSync(path.join(tmpdir(), 'mcpgw-state-'));
  const logFile = path.join(stateDir, 'mcpd.log');
  const daemon = await startDaemon({
    stateDir,
    catalog: testConfigWith(options.config),
    log: createLogger({ file: logFile, level: 'debug' }),
    engine,
    redisUrl: options.redisUrl,
    port: 0,
    ...(options.model ? { model: options.model } : {}),
    ...(options.janitorIntervalMs ? { janitorIntervalMs: options.janitorIntervalMs } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.egress ? { egress: options.egress } : {}),
  });
  const token = readFileSync(path.join(stateDir, 'token'), 'utf8').trim();
  const clients: DaemonClient[] = [];
  return {
    daemon,
    stateDir,
    token,
    client: async (t = token) => {
      const c = await new DaemonClient({ url: daemon.url, token: t }).connect();
      clients.push(c);
      return c;
    },
    stop: async () => {
      for (const c of clients) c.close();
      await daemon.stop();
    },
  };
}

/** The container a session's server runs in, as mcpd records it (a standby it took is labelled for no session). */
export async function sessionContainer(client: DaemonClient, sessionId: string, server = 'testsrv'): Promise<string | undefined> {
  const session = await client.request('session:get', { sessionId });
  return session.servers.find((s) => s.name === server)?.containerId;
}

/** A test mcpd whose model is the fake Gemini over HTTP (the real REST surface), with a connected client. */
export async function startAgentDaemon(
  options: Omit<Parameters<typeof startTestDaemon>[0], 'model'> = {},
): Promise<{ fake: FakeGemini; t: TestDaemon; client: DaemonClient }> {
  const fake = await startFakeGemini();
  try {
    const model = createGeminiModelClient({ apiKey: 'test-key', baseUrl: fake.baseUrl, baseDelayMs: 1, maxDelayMs: 5 });
    const t = await startTestDaemon({ ...options, model });
    return { fake, t, client: await t.client() };
  } catch (err) {
    await fake.close();
    throw err;
  }
}
