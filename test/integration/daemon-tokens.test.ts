import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../../daemon/state/tokens.js';
import { Store } from '../../daemon/store/store.js';
import { DaemonClient } from '../../tui/client/client.js';
import { connectDaemon } from '../../tui/client/connect.js';
import { mcpgw } from '../helpers/cli.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

let t: TestDaemon;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestDaemon();
  env = { MCPGW_STATE_DIR: t.stateDir };
});

afterAll(async () => {
  await t?.stop();
});

/** Trades a one-time code at mcpd's HTTP endpoint, as the web page does. */
async function redeem(code: string): Promise<{ status: number; body: { token?: string; error?: string } }> {
  const response = await fetch(`${t.daemon.url}/auth/code`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  return { status: response.status, body: (await response.json()) as { token?: string; error?: string } };
}

describe('mcpgw daemon token ls / revoke', () => {
  it('revoking a user disconnects their live sockets (browser ones too) at once, and their next connection fails', async () => {
    const bobToken = await (await TokenStore.open(t.stateDir)).create('bob');
    const bob = await t.client(bobToken);
    const code = await bob.request('web:code', {});
    const web = await redeem(code.code);
    expect(web.status).toBe(200);
    const bobBrowser = await t.client(web.body.token);
    const alice = await t.client();

    const ls = await mcpgw(['daemon', 'token', 'ls', '--json'], env);
    expect(ls.code).toBe(0);
    const listed = JSON.parse(ls.stdout) as { tokens: Array<{ user: string; id: string }>; web: Array<{ user: string }> };
    expect(listed.tokens.map((x) => x.user)).toContain('bob');
    expect(listed.web.map((x) => x.user)).toEqual(['bob']);
    for (const secret of [bobToken, t.token, web.body.token ?? '']) expect(ls.stdout).not.toContain(secret);
    const table = await mcpgw(['daemon', 'token', 'ls'], env);
    expect(table.stdout).toMatch(/^bob\s+[0-9a-f]{16}\s+token\s/m);
    expect(table.stdout).toMatch(/^bob\s+[0-9a-f]{16}\s+browser \(from [0-9a-f]{16}\)/m);

    const gone = [bob, bobBrowser].map((c) => new Promise<string>((resolve) => c.socket.once('disconnect', resolve)));
    const revoke = await mcpgw(['daemon', 'token', 'revoke', 'bob'], env);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toMatch(/^revoked bob's token [0-9a-f]{16}$/m);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);

    for (const credential of [bobToken, web.body.token]) {
      await expect(new DaemonClient({ url: t.daemon.url, token: credential ?? '' }).connect()).rejects.toMatchObject({
        code: 'unauthorized',
        message: expect.stringContaining('does not know this token'),
      });
    }
    // Everyone else keeps going.
    expect(alice.socket.connected).toBe(true);
    expect((await alice.request('daemon:status', {})).user).toBe(process.env.USER ?? 'root');
    expect((await mcpgw(['daemon', 'token', 'revoke', 'bob'], env)).code).toBe(2);
  });

  it('a code is good once, and a browser credential cannot make more', async () => {
    const alice = await t.client();
    const { code, expiresAt } = await alice.request('web:code', {});
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(60_000);
    const first = await redeem(code);
    expect(first.status).toBe(200);
    expect(await redeem(code)).toEqual({ status: 410, body: { error: 'used' } });
    const browser = await t.client(first.body.token);
    await expect(browser.request('web:code', {})).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('`mcpgw web --print` prints a link with a one-time code, never the token', async () => {
    const r = await mcpgw(['web', '--print'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(new RegExp(`^${t.daemon.url}/#code=mcpgw_code_[A-Za-z0-9_-]{43}$`));
    expect(r.stdout + r.stderr).not.toContain(t.token);
    expect(r.stderr).toContain('works once');
    const code = decodeURIComponent(r.stdout.trim().split('#code=')[1] ?? '');
    expect((await redeem(code)).status).toBe(200);
  });
});

describe('a process on the port from daemon.json that is not mcpd', () => {
  let fake: HttpServer;
  let state: string;
  const token = `mcpgw_${'A'.repeat(32)}`;
  const auths: unknown[] = [];
  const requests: string[] = [];
  let raw = '';

  beforeAll(async () => {
    // Another local user's server on the port a crashed mcpd used: it speaks HTTP and Socket.io and would take a
    // token if one came. Its /identity answers in the right shape, with a proof it cannot make right.
    fake = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith('/identity')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ proof: 'bm90LWEtcmVhbC1wcm9vZg' }));
      }
    });
    fake.on('connection', (socket) => socket.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1'))));
    const io = new Server(fake);
    io.use((socket, next) => {
      auths.push(socket.handshake.auth);
      next();
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const { port } = fake.address() as AddressInfo;
    state = mkdtempSync(path.join(tmpdir(), 'mcpgw-impostor-'));
    writeFileSync(path.join(state, 'token'), `${token}\n`, { mode: 0o600 });
    // A daemon.json whose pid is alive (this test process), as after a crash and a pid reuse.
    writeFileSync(
      path.join(state, 'daemon.json'),
      JSON.stringify({ pid: process.pid, instance: `x:${process.pid}:0`, url: `http://127.0.0.1:${port}`, version: '0', startedAt: 0 }),
      { mode: 0o600 },
    );
  });

  afterAll(() => fake?.close());

  it('gets no token: the client refuses with one clear line, and neither a command nor `mcpgw web` sends it', async () => {
    const port = (fake.address() as AddressInfo).port;
    await expect(connectDaemon({ env: { ...process.env, MCPGW_STATE_DIR: state } })).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(new RegExp(`^not sending the token to 127\\.0\\.0\\.1:${port}: its identity proof is wrong`)),
    });
    for (const args of [
      ['sessions', 'ls'],
      ['web', '--print'],
    ]) {
      const r = await mcpgw(args, { MCPGW_STATE_DIR: state, MCPGW_TOKEN: '', MCPGW_URL: '' });
      expect(r.code).toBe(6);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^mcpgw: not sending the token to 127\.0\.0\.1:\d+: its identity proof is wrong.*daemon\.json may be stale/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(requests.filter((r) => r.startsWith('GET /identity')).length).toBeGreaterThanOrEqual(3);
    // The Socket.io handshake never reached the point of presenting anything, and no byte carried the token.
    expect(auths).toEqual([]);
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(token.slice(6));
  });
});

describe('audit:list', () => {
  it('reads only the newest entries of the caller’s own sessions, however large the shared stream is', async () => {
    const alice = await t.client();
    const bobToken = await (await TokenStore.open(t.stateDir)).create('bob2');
    const bob = await t.client(bobToken);
    const mine = await alice.request('session:create', { servers: ['testsrv'] });
    const theirs = await bob.request('session:create', { servers: ['testsrv'] });
    const redis = new Redis({ path: path.join(t.stateDir, 'redis', 'redis.sock') });
    try {
      const store = new Store(redis);
      // Bob's session floods the shared stream after Alice's entries.
      for (let i = 0; i < 3; i++)
        await store.audit({ ts: Date.now(), sessionId: mine.id, user: mine.owner, kind: 'session', action: `mine-${i}` });
      await Promise.all(
        Array.from({ length: 20 }, (_, batch) =>
          Promise.all(
            Array.from({ length: 1000 }, (_, i) =>
              store.audit({ ts: Date.now(), sessionId: theirs.id, user: 'bob2', kind: 'tool', outcome: 'ok', n: batch * 1000 + i }),
            ),
          ),
        ),
      );
      const calls = async (): Promise<number> => Number(/cmdstat_xrevrange:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);

      const before = await calls();
      const all = await alice.request('audit:list', { count: 4 });
      expect(await calls()).toBe(before + 1);
      expect(all.map((e) => e.action)).toEqual(['create', 'mine-0', 'mine-1', 'mine-2']);
      expect(all.every((e) => e.sessionId === mine.id)).toBe(true);

      const one = await alice.request('audit:list', { sessionId: mine.id, count: 2 });
      expect(one.map((e) => e.action)).toEqual(['mine-1', 'mine-2']);
      const bobs = await bob.request('audit:list', { count: 3 });
      expect(bobs.map((e) => e.n)).toEqual([19_997, 19_998, 19_999]);
      expect(await calls()).toBe(before + 3);
      // The shared stream still has everything (the daemon-wide record).
      expect(await redis.xlen('mcpgw:audit')).toBeGreaterThanOrEqual(20_000);
    } finally {
      redis.disconnect();
    }
  });
});
