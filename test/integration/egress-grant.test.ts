import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiModelClient } from '../../daemon/agent/model/index.js';
import { DockerNetworks } from '../../daemon/egress/docker-networks.js';
import type { SessionEvent } from '../../src/protocol/events.js';
import type { DaemonClient } from '../../tui/client/client.js';
import { engine } from '../helpers/docker.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EgressLab } from '../helpers/egress-lab.js';
import { EventRecorder } from '../helpers/events.js';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';

// Grants while a tool runs, through mcpd and a real gateway. The target is a container on a network this file
// creates (alpha.egress.test, named by the lab's DNS stub); nothing leaves the machine.
const TARGET = 'alpha.egress.test';
const lab = new EgressLab([TARGET]);
let t: TestDaemon;
let client: DaemonClient;
let fake: FakeGemini;
const config = {
  mcpServers: {
    netsrv: { build: { npm: ['./test-server'] }, command: 'mcpgw-test-server', network: { allow: ['api.example.com'] } },
  },
};
const model = () => createGeminiModelClient({ apiKey: 'test-key', baseUrl: fake.baseUrl, baseDelayMs: 1, maxDelayMs: 5 });
const egress = () => ({ networks: [lab.network.name], resolvers: [lab.stubIp], exempt: [lab.network.subnet] });

type Asked = Extract<SessionEvent, { type: 'question:asked' }>;

beforeAll(async () => {
  await lab.start();
  lab.setName(TARGET, lab.targetIp);
  fake = await startFakeGemini();
  t = await startTestDaemon({ config, egress: egress(), model: model() });
  client = await t.client();
});

afterAll(async () => {
  const instance = t?.daemon.instance;
  await t?.stop();
  await lab.stop();
  await fake?.close();
  const left = (await new DockerNetworks(engine.docker).listManaged()).filter((n) => n.labels['mcpgw.instance'] === instance);
  expect(left).toEqual([]);
});

async function session(policy: { preset: string } | { name: string; text: string } = { preset: 'all' }) {
  const info = await client.request('session:create', { servers: ['netsrv'], policy });
  const events = new EventRecorder(client);
  await client.request('session:attach', { sessionId: info.id });
  return { id: info.id, events };
}

const fetchTarget = (sessionId: string, path: string) =>
  client.request('tools:call', { sessionId, server: 'netsrv', tool: 'fetch', args: { url: `http://${TARGET}${path}` } });

const grantAsked = (events: EventRecorder) => events.waitFor<Asked>((e) => e.type === 'question:asked' && e.ask.kind === 'network_grant');

describe('network grants while a tool runs', () => {
  let first = '';

  it('asks the session’s human once per name, tells the model to retry, and "for this session" lets the retry through', async () => {
    const { id, events } = await session();
    first = id;
    const refused = await fetchTarget(id, '/one');
    expect(refused.ok).toBe(false);
    expect(refused.text).toMatch(/^fetch failed: ENOTFOUND/);
    const asked = await grantAsked(events);
    expect(asked.subject).toEqual({ kind: 'server', server: 'netsrv', callId: refused.callId });
    expect(asked.ask).toEqual({ kind: 'network_grant', host: TARGET, via: 'dns', reason: 'not in the allowlist' });
    await events.waitFor(
      (e) => e.type === 'tool:output' && e.text.startsWith(`[egress] asked the user whether netsrv may reach ${TARGET}`),
    );

    // Retrying while the question is open fails the same way and asks nothing more (counted below).
    expect((await fetchTarget(id, '/two')).ok).toBe(false);

    await client.request('question:answer', { questionId: asked.questionId, answer: { kind: 'network_grant', decision: 'session' } });
    await events.waitFor((e) => e.type === 'tool:output' && e.text.includes(`GRANTED netsrv → ${TARGET} for the rest of this session`));
    const retried = await fetchTarget(id, '/three');
    expect(retried).toMatchObject({ ok: true });
    expect(retried.text).toMatch(/^200 /);
    expect(JSON.parse(retried.text.slice(4))).toMatchObject({ target: 'alpha', host: TARGET, path: '/three' });
    expect(events.events.filter((e) => e.type === 'question:asked')).toHaveLength(1);
    // An allowed connection is reported when it closes, with its bytes.
    await events.waitFor((e) => e.type === 'tool:output' && e.text.startsWith(`[egress] allowed ${TARGET}:80`));

    const audit = await client.request('audit:list', { sessionId: id });
    expect(audit.filter((e) => e.kind === 'egress_grant')).toEqual([
      expect.objectContaining({ server: 'netsrv', host: TARGET, decision: 'session', by: 'user' }),
    ]);
    expect(audit.filter((e) => e.kind === 'egress' && e.allowed)).toEqual([
      expect.objectContaining({ host: TARGET, port: 80, via: 'http', bytesDown: expect.any(Number) }),
    ]);
  });

  it('keeps the grant to its session: another session of the same server is refused and asked again', async () => {
    const { id, events } = await session();
    const refused = await fetchTarget(id, '/other');
    expect(refused.ok).toBe(false);
    const asked = await grantAsked(events);
    expect(asked.sessionId).toBe(id);
    await client.request('question:answer', { questionId: asked.questionId, answer: { kind: 'network_grant', decision: 'deny' } });
    await events.waitFor((e) => e.type === 'tool:output' && e.text.startsWith(`[egress] not granted: netsrv → ${TARGET}`));
    expect((await fetchTarget(id, '/still')).ok).toBe(false);
    const audit = await client.request('audit:list', { sessionId: id });
    expect(audit.filter((e) => e.kind === 'egress_grant')).toEqual([expect.objectContaining({ decision: 'deny', by: 'user' })]);
    // The first session's grant still holds.
    expect(await fetchTarget(first, '/first-again')).toMatchObject({ ok: true });
  });

  it('"once" lets the retry through and ends with it: the call after is refused and asked about again', async () => {
    const { id, events } = await session();
    expect((await fetchTarget(id, '/once-1')).ok).toBe(false);
    const asked = await grantAsked(events);
    await client.request('question:answer', { questionId: asked.questionId, answer: { kind: 'network_grant', decision: 'once' } });
    await events.waitFor((e) => e.type === 'tool:output' && e.text.includes(`GRANTED netsrv → ${TARGET} until this call ends`));
    expect(await fetchTarget(id, '/once-2')).toMatchObject({ ok: true });
    await events.waitFor((e) => e.type === 'tool:output' && e.text === `[egress] the grant "once" of ${TARGET} ended with the call`);
    expect((await fetchTarget(id, '/once-3')).ok).toBe(false);
    const again = await events.waitFor<Asked>(
      (e) => e.type === 'question:asked' && e.ask.kind === 'network_grant' && e.questionId !== asked.questionId,
    );
    expect(again.ask).toMatchObject({ host: TARGET });
    await client.request('question:answer', { questionId: again.questionId, answer: { kind: 'network_grant', decision: 'deny' } });
    await expect
      .poll(async () =>
        (await client.request('audit:list', { sessionId: id })).filter((e) => e.kind === 'egress_grant').map((e) => e.decision),
      )
      .toEqual(['once', 'deny']);
  });

  it('keeps a "for this session" grant over a daemon restart', async () => {
    const stateDir = t.stateDir;
    await t.stop();
    t = await startTestDaemon({ config, egress: egress(), stateDir, model: model() });
    client = await t.client();
    await client.request('session:attach', { sessionId: first });
    expect(await fetchTarget(first, '/after-restart')).toMatchObject({ ok: true });
  });
});

describe('headless runs', () => {
  /** One headless turn in which the model fetches the target once. */
  async function headlessFetch(sessionId: string, events: EventRecorder, callId: string): Promise<void> {
    fake.enqueue({ functionCalls: [{ name: 'netsrv__fetch', args: { url: `http://${TARGET}/${callId}` }, id: callId }] }, { text: 'ok' });
    const { turnId } = await client.request('message', { sessionId, text: 'fetch it', headless: true });
    await events.waitFor((e) => e.type === 'agent:response' && e.turnId === turnId && e.done);
  }

  it('deny without asking anyone when no egress rule allows', async () => {
    const { id, events } = await session();
    await headlessFetch(id, events, 'h1');
    await events.waitFor(
      (e) =>
        e.type === 'tool:output' &&
        e.text.startsWith(
          `[egress] not granted: netsrv → ${TARGET} (headless: the run is headless and no egress rule of the policy allows it)`,
        ),
    );
    expect(events.events.filter((e) => e.type === 'question:asked')).toEqual([]);
    expect((await client.request('audit:list', { sessionId: id })).filter((e) => e.kind === 'egress_grant')).toEqual([
      expect.objectContaining({ host: TARGET, decision: 'deny', by: 'headless' }),
    ]);
  });

  it('let a policy egress rule grant it: the next call gets through', async () => {
    const text = `default: allow\nrules: []\negress:\n  - { server: netsrv, host: ${TARGET}, decision: allow }\n`;
    const { id, events } = await session({ name: 'egress.yaml', text });
    await headlessFetch(id, events, 'p1');
    await events.waitFor((e) => e.type === 'tool:output' && e.text.startsWith(`[egress] GRANTED netsrv → ${TARGET} by the policy`));
    await headlessFetch(id, events, 'p2');
    const result = await events.waitFor((e) => e.type === 'tool:result' && e.callId === 'p2');
    expect(result).toMatchObject({ ok: true, summary: expect.stringMatching(/^200 /) });
    expect(events.events.filter((e) => e.type === 'question:asked')).toEqual([]);
  });
});
