import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../../daemon/state/tokens.js';
import { REQUEST_SCHEMAS } from '../../src/protocol/requests.js';
import { DaemonClient } from '../../tui/client/client.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

let t: TestDaemon;
let bobToken: string;

beforeAll(async () => {
  t = await startTestDaemon();
  // Another user, added while the daemon runs (what `mcpgw daemon token add bob` does).
  bobToken = await (await TokenStore.open(t.stateDir)).create('bob');
});

afterAll(async () => {
  await t?.stop();
});

/** A raw HTTP request to the daemon with chosen headers; resolves with the status code. */
function rawStatus(path: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(t.daemon.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('who may talk to mcpd', () => {
  it('refuses a connection without a token or with a wrong one', async () => {
    await expect(new DaemonClient({ url: t.daemon.url, token: '' }).connect()).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(new DaemonClient({ url: t.daemon.url, token: 'mcpgw_wrong' }).connect()).rejects.toMatchObject({ code: 'unauthorized' });
    const ok = await t.client();
    expect((await ok.request('daemon:status', {})).user).toBe(process.env.USER ?? 'root');
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 4xx', async () => {
    const port = new URL(t.daemon.url).port;
    const handshake = '/socket.io/?EIO=4&transport=polling';
    expect(await rawStatus(handshake, { Host: `127.0.0.1:${port}` })).toBe(200);
    expect(await rawStatus(handshake, { Host: `evil.example:${port}` })).toBeGreaterThanOrEqual(400);
    expect(await rawStatus(handshake, { Host: `127.0.0.1:${port}`, Origin: 'http://evil.example' })).toBeGreaterThanOrEqual(400);
    expect(await rawStatus(handshake, { Host: `127.0.0.1:${port}`, Origin: `http://localhost:${port}` })).toBe(200);
    expect(await rawStatus('/healthz', { Host: `attacker.test:${port}` })).toBe(421);
    expect(await rawStatus('/healthz', { Host: `127.0.0.1:${port}`, Origin: 'https://evil.example' })).toBe(403);
    expect(await rawStatus('/healthz', { Host: `localhost:${port}` })).toBe(200);
  });

  it('keeps users apart: neither sees, attaches to, calls in, nor kills the other’s sessions', async () => {
    const alice = await t.client();
    const bob = await t.client(bobToken);
    const aliceSession = await alice.request('session:create', { servers: ['testsrv'] });
    const bobSession = await bob.request('session:create', { servers: ['testsrv'] });
    expect((await alice.request('session:list', {})).map((s) => s.id)).toContain(aliceSession.id);
    expect((await alice.request('session:list', {})).map((s) => s.id)).not.toContain(bobSession.id);
    expect((await bob.request('session:list', {})).map((s) => s.id)).toEqual([bobSession.id]);
    for (const attempt of [
      () => bob.request('session:get', { sessionId: aliceSession.id }),
      () => bob.request('session:attach', { sessionId: aliceSession.id }),
      () => bob.request('session:kill', { sessionId: aliceSession.id }),
      () => bob.request('tools:call', { sessionId: aliceSession.id, server: 'testsrv', tool: 'echo', args: { message: 'x' } }),
      () => bob.request('message', { sessionId: aliceSession.id, text: 'hi' }),
      () => bob.request('audit:list', { sessionId: aliceSession.id }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'not_found' });
    }
    expect((await alice.request('session:get', { sessionId: aliceSession.id })).status).toBe('active');
  });
});

describe('bad payloads', () => {
  it('answers hundreds of malformed or random payloads with error acks and keeps serving', async () => {
    const c = await t.client();
    const session = await c.request('session:create', { servers: ['testsrv'] });
    const events = [
      'session:create',
      'session:attach',
      'session:kill',
      'message',
      'question:answer',
      'tools:call',
      'tools:list',
      'audit:list',
      'no:such:event',
      '__proto__',
      'constructor',
    ];
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const values: unknown[] = [
      null,
      0,
      -1,
      1e308,
      '',
      'x'.repeat(5000),
      true,
      [],
      [1, 2],
      {},
      { sessionId: 5 },
      { sessionId: '../../etc' },
      { sessionId: session.id, text: '' },
      { sessionId: session.id, server: '__', tool: '', args: 'x' },
      { questionId: 'a', answer: { kind: 'tool_approval', decision: 'maybe' } },
      { count: -5 },
      { servers: ['a__b'] },
      { policy: { preset: 42 } },
      { __proto__: { polluted: true } },
      { sessionId: session.id, sinceSeq: -1 },
      { extra: 'field', sessionId: session.id },
    ];
    let rejected = 0;
    let valid = 0;
    for (let i = 0; i < 300; i++) {
      const event = events[Math.floor(random() * events.length)]!;
      const payload = values[Math.floor(random() * values.length)];
      const raw = c.socket.timeout(5000) as unknown as { emitWithAck: (event: string, payload: unknown) => Promise<unknown> };
      const result = (await raw.emitWithAck(event, payload)) as { ok: boolean; error?: { code: string } };
      const schema = Object.hasOwn(REQUEST_SCHEMAS, event) ? REQUEST_SCHEMAS[event as keyof typeof REQUEST_SCHEMAS] : undefined;
      // Validate what the daemon receives: the payload after JSON serialisation (no prototypes, no undefined).
      const received: unknown = payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
      if (schema?.safeParse(received).success) {
        valid++; // a random payload that happens to be valid is served normally
      } else {
        expect({ event, result }).toMatchObject({ result: { ok: false, error: { code: 'bad_request' } } });
        rejected++;
      }
    }
    expect(rejected + valid).toBe(300);
    expect(rejected).toBeGreaterThan(250);
    // Wrong arity and missing acks do not wedge anything either.
    const loose = c.socket as unknown as { emit: (...args: unknown[]) => void };
    loose.emit('session:list');
    loose.emit('session:list', {}, {}, () => undefined);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(
      (await c.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message: 'still serving' } })).text,
    ).toBe('echo: still serving');
  });
});
