import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiModelClient } from '../../daemon/agent/model/index.js';
import { TokenStore } from '../../daemon/state/tokens.js';
import type { SessionEvent } from '../../src/protocol/events.js';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EventRecorder } from '../helpers/events.js';

const testsrv = { build: { npm: ['./test-server'] }, command: 'mcpgw-test-server', timeout: '20s' };
const servers = (offDisabled: boolean) => ({
  testsrv,
  testsrv2: testsrv,
  // Outside bob's allowlist (never started by these tests).
  memory: { build: { npm: ['@modelcontextprotocol/server-memory@2026.8.31'] }, command: 'mcp-server-memory' },
  offsrv: { ...testsrv, disabled: offDisabled },
});
const config = (offDisabled: boolean) => ({
  mcpServers: servers(offDisabled),
  daemon: {
    // The disabled server is in the warm pool: it must not be warmed.
    warmPool: { offsrv: 1 },
    users: { bob: { servers: ['testsrv*', 'offsrv'], maxContainers: 1, maxPendingQuestions: 1, maxSessions: 3 } },
  },
});

let fake: FakeGemini;
let t: TestDaemon;
let bobToken: string;

beforeAll(async () => {
  fake = await startFakeGemini();
  t = await startTestDaemon({ config: config(true), model: createGeminiModelClient({ apiKey: 'test-key', baseUrl: fake.baseUrl }) });
  bobToken = await (await TokenStore.open(t.stateDir)).create('bob');
});

afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

const echo = (sessionId: string, server: string) => ({ sessionId, server, tool: 'echo', args: { message: 'hi' } });

describe('per-user server allowlists', () => {
  it('refuses bob a server outside his list, and leaves it out of his defaults and picker', async () => {
    const bob = await t.client(bobToken);
    await expect(bob.request('session:create', { servers: ['memory'] })).rejects.toMatchObject({
      code: 'forbidden',
      message: 'user "bob" may not use server "memory" (not in daemon.users.bob.servers)',
    });
    const session = await bob.request('session:create', {});
    expect(session.servers.map((s) => s.name)).toEqual(['testsrv', 'testsrv2']);
    const listed = await bob.request('servers:list', {});
    expect(listed.find((s) => s.name === 'memory')).toMatchObject({
      available: false,
      reason: expect.stringContaining('daemon.users.bob'),
    });
    expect(listed.find((s) => s.name === 'testsrv')).toMatchObject({ available: true });
    // The owner is not limited: memory is offered to alice.
    const alice = await t.client();
    expect((await alice.request('servers:list', {})).find((s) => s.name === 'memory')).toMatchObject({ available: true });
    await bob.request('session:kill', { sessionId: session.id });
  });
});

describe('per-user quotas', () => {
  it('enforces bob’s container quota while alice is unaffected, and frees it when his session ends', async () => {
    const bob = await t.client(bobToken);
    const alice = await t.client();
    const b = await bob.request('session:create', { servers: ['testsrv', 'testsrv2'] });
    expect((await bob.request('tools:call', echo(b.id, 'testsrv'))).ok).toBe(true);
    await expect(bob.request('tools:call', echo(b.id, 'testsrv2'))).rejects.toMatchObject({
      code: 'capacity',
      message: expect.stringContaining('limit of 1 containers (daemon.users.bob.maxContainers'),
    });
    // The running one keeps working.
    expect((await bob.request('tools:call', echo(b.id, 'testsrv'))).ok).toBe(true);
    const a = await alice.request('session:create', { servers: ['testsrv', 'testsrv2'] });
    expect((await alice.request('tools:call', echo(a.id, 'testsrv'))).ok).toBe(true);
    expect((await alice.request('tools:call', echo(a.id, 'testsrv2'))).ok).toBe(true);
    await bob.request('session:kill', { sessionId: b.id });
    const b2 = await bob.request('session:create', { servers: ['testsrv2'] });
    expect((await bob.request('tools:call', echo(b2.id, 'testsrv2'))).ok).toBe(true);
    await bob.request('session:kill', { sessionId: b2.id });
    await alice.request('session:kill', { sessionId: a.id });
  });

  it('caps bob’s open sessions', async () => {
    const bob = await t.client(bobToken);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await bob.request('session:create', { servers: ['testsrv'] })).id);
    await expect(bob.request('session:create', { servers: ['testsrv'] })).rejects.toMatchObject({
      code: 'capacity',
      message: expect.stringContaining('daemon.users.bob.maxSessions'),
    });
    for (const sessionId of ids) await bob.request('session:kill', { sessionId });
    // Concurrent creates cannot all pass the check: exactly the quota succeeds.
    const raced = await Promise.allSettled(Array.from({ length: 6 }, () => bob.request('session:create', { servers: ['testsrv'] })));
    const made = raced.filter((r) => r.status === 'fulfilled').map((r) => r.value.id);
    expect(made).toHaveLength(3);
    for (const r of raced) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'capacity' });
    for (const sessionId of made) await bob.request('session:kill', { sessionId });
  });

  it('counts concurrent starts against bob’s container quota', async () => {
    const bob = await t.client(bobToken);
    const b = await bob.request('session:create', { servers: ['testsrv', 'testsrv2'] });
    const raced = await Promise.allSettled([
      bob.request('tools:call', echo(b.id, 'testsrv')),
      bob.request('tools:call', echo(b.id, 'testsrv2')),
    ]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(raced.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'capacity' } });
    await bob.request('session:kill', { sessionId: b.id });
  });

  it('denies a call that would exceed bob’s pending questions, with the reason, instead of queueing it', async () => {
    const bob = await t.client(bobToken);
    const open = async () => {
      const info = await bob.request('session:create', { servers: ['testsrv'], policy: { preset: 'ask' } });
      const events = new EventRecorder(bob);
      await bob.request('session:attach', { sessionId: info.id });
      return { id: info.id, events };
    };
    const first = await open();
    fake.enqueue({ functionCalls: [{ name: 'testsrv__echo', args: { message: 'one' }, id: 'g1' }] });
    await bob.request('message', { sessionId: first.id, text: 'call echo' });
    await first.events.waitFor((e) => e.type === 'question:asked');

    const second = await open();
    fake.enqueue({ functionCalls: [{ name: 'testsrv__echo', args: { message: 'two' }, id: 'g2' }] }, { text: 'denied, ok' });
    const { turnId } = await bob.request('message', { sessionId: second.id, text: 'call echo too' });
    const decided = await second.events.waitFor<Extract<SessionEvent, { type: 'tool:decided' }>>((e) => e.type === 'tool:decided');
    expect(decided).toMatchObject({ decision: 'deny', reason: expect.stringContaining('daemon.users.bob.maxPendingQuestions') });
    await second.events.waitFor((e) => e.type === 'agent:response' && e.turnId === turnId && e.done);
    expect((await bob.request('session:get', { sessionId: second.id })).pendingApprovals).toBe(0);

    await bob.request('agent:cancel', { sessionId: first.id });
    await bob.request('session:kill', { sessionId: first.id });
    await bob.request('session:kill', { sessionId: second.id });
  });
});

describe('disabled servers', () => {
  it('are refused in an explicit list and not warmed', async () => {
    const alice = await t.client();
    await expect(alice.request('session:create', { servers: ['offsrv'] })).rejects.toMatchObject({
      code: 'server_unavailable',
      message: 'server "offsrv" is disabled in the config',
    });
    expect((await alice.request('session:create', {})).servers.map((s) => s.name)).not.toContain('offsrv');
    expect((await t.daemon.status('alice')).containers).toMatchObject({ pooled: 0, starting: 0 });
    expect(readFileSync(path.join(t.stateDir, 'mcpd.log'), 'utf8')).toContain('warm pool skips a disabled server');
  });

  it('are refused for direct calls and tool listings of a session made before the server was disabled', async () => {
    // A daemon with offsrv enabled records a session using it; the restarted daemon has it disabled.
    const enabled = await startTestDaemon({ config: { ...config(false), daemon: { users: config(false).daemon.users } } });
    const stateDir = enabled.stateDir;
    let sessionId: string;
    try {
      const c = await enabled.client();
      sessionId = (await c.request('session:create', { servers: ['offsrv'] })).id;
    } finally {
      await enabled.stop();
    }
    const disabled = await startTestDaemon({ stateDir, config: { ...config(true), daemon: { users: config(true).daemon.users } } });
    try {
      const c = await disabled.client();
      await expect(c.request('tools:call', echo(sessionId, 'offsrv'))).rejects.toMatchObject({ code: 'server_unavailable' });
      const listed = await c.request('tools:list', { sessionId });
      expect(listed.tools).toEqual([]);
      expect(listed.failed).toEqual([{ server: 'offsrv', error: 'server "offsrv" is disabled in the config' }]);
      expect((await disabled.daemon.status('x')).containers.running).toBe(0);
    } finally {
      await disabled.stop();
    }
  });
});
