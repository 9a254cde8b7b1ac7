import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMcpgwError } from '../../src/errors.js';
import type { SessionEvent } from '../../src/protocol/events.js';
import type { FakeGemini } from '../fixtures/fake-gemini/index.js';
import { TEST_CONFIG_FILE } from '../helpers/catalog.js';
import { mcpgw } from '../helpers/cli.js';
import { startAgentDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EventRecorder } from '../helpers/events.js';
import { writeTestConfig } from '../helpers/mcpd-process.js';
import type { DaemonClient } from '../../tui/client/client.js';

// One good entry among entries that cannot run: each broken one is unavailable with its reason, the good one works.
const TEST_SERVER = path.join(path.dirname(TEST_CONFIG_FILE), 'test-server');
const MCP_SERVERS = {
  good: { build: { npm: [TEST_SERVER] }, command: 'mcpgw-test-server' },
  typo: { command: 'node', args: 'server.js' },
  priv: { command: 'docker', args: ['run', '-i', '--rm', '--privileged', 'mcp/anything'] },
  remote: { type: 'sse', url: 'http://127.0.0.1:9/sse' },
  secretless: { build: { npm: [TEST_SERVER] }, command: 'mcpgw-test-server', env: { TOKEN: '${MCPGW_TEST_NEVER_SET}' } },
};

let fake: FakeGemini;
let t: TestDaemon;
let client: DaemonClient;

beforeAll(async () => {
  ({ fake, t, client } = await startAgentDaemon({ config: { mcpServers: MCP_SERVERS }, env: {} }));
});

afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

describe('a pasted config with broken entries', () => {
  it('lists every server, the unavailable ones with why', async () => {
    const servers = await client.request('servers:list', {});
    expect(servers.map((s) => [s.name, s.available])).toEqual([
      ['good', true],
      ['typo', false],
      ['priv', false],
      ['remote', false],
      ['secretless', false],
    ]);
    const reason = (name: string) => servers.find((s) => s.name === name)?.reason;
    expect(reason('typo')).toBe('mcpServers.typo.args: Invalid input: expected array, received string (found: "server.js")');
    expect(reason('priv')).toMatch(/^"--privileged" is refused: it gives the container every capability/);
    expect(reason('remote')).toMatch(/^a remote sse server: mcpgw only runs servers it can sandbox/);
    expect(reason('secretless')).toMatch(/secret MCPGW_TEST_NEVER_SET is not set in mcpd's environment or .*secrets\.env/);
  });

  it('a new session gets the servers that can run; naming one that cannot is a clear bad request', async () => {
    const info = await client.request('session:create', { policy: { preset: 'all' } });
    expect(info.servers.map((s) => s.name)).toEqual(['good']);
    const refused = await client.request('session:create', { servers: ['good', 'priv'] }).catch((err: unknown) => err);
    expect(isMcpgwError(refused, 'bad_request')).toBe(true);
    expect((refused as Error).message).toMatch(/^server "priv" is unavailable: "--privileged" is refused/);
  });

  it('runs the good server through mcpd; the model sees only its tools', async () => {
    const info = await client.request('session:create', { policy: { preset: 'all' } });
    const events = new EventRecorder(client);
    await client.request('session:attach', { sessionId: info.id });
    fake.enqueue({ functionCalls: [{ name: 'good__echo', args: { message: 'still works' }, id: 'g1' }] }, { text: 'ok' });
    const { turnId } = await client.request('message', { sessionId: info.id, text: 'echo' });
    await events.waitFor((e) => e.type === 'agent:response' && e.turnId === turnId && e.done);
    const result = events.events.find((e): e is Extract<SessionEvent, { type: 'tool:result' }> => e.type === 'tool:result');
    expect(result).toMatchObject({ server: 'good', tool: 'echo', ok: true });
    const tools = (fake.requests.at(-1)?.body as { tools: Array<{ functionDeclarations: Array<{ name: string }> }> }).tools;
    const names = tools[0]?.functionDeclarations.map((d) => d.name) ?? [];
    expect(names).toContain('good__echo');
    expect(names.every((n) => n.startsWith('good__'))).toBe(true);
  });

  it('the CLI lists them too, and `servers test` of an unavailable one exits 2 with the reason', async () => {
    const file = writeTestConfig({ mcpServers: MCP_SERVERS });
    const ls = await mcpgw(['--config', file, 'servers', 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^NAME\s+STATUS\s+IMAGE/m);
    expect(ls.stdout).toMatch(/^good\s+available\s+build: /m);
    expect(ls.stdout).toMatch(/^priv\s+unavailable\s+-/m);
    expect(ls.stdout).toMatch(/^unavailable:\n {2}typo: mcpServers\.typo\.args: .*expected array/m);
    const json = JSON.parse((await mcpgw(['--config', file, 'servers', 'ls', '--json'])).stdout) as {
      servers: Array<{ name: string; status: string; path?: string }>;
    };
    expect(json.servers.find((s) => s.name === 'typo')).toMatchObject({ status: 'unavailable', path: 'mcpServers.typo.args' });
    const test = await mcpgw(['--config', file, 'servers', 'test', 'remote']);
    expect(test.code).toBe(2);
    expect(test.stderr).toMatch(/^mcpgw: server "remote" is unavailable: a remote sse server/);
    const missing = await mcpgw(['--config', file, 'servers', 'test', 'secretless']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/secret MCPGW_TEST_NEVER_SET is not set/);
  });
});
