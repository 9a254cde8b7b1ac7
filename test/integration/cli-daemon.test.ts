import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { mcpgw } from '../helpers/cli.js';
import { McpdProcess, writeTestConfig } from '../helpers/mcpd-process.js';

let fake: FakeGemini;
let mcpd: McpdProcess;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeGemini();
  mcpd = McpdProcess.create({ env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: fake.baseUrl } });
  await mcpd.start();
  env = { MCPGW_STATE_DIR: mcpd.stateDir, MCPGW_CONFIG: mcpd.configFile };
});

afterAll(async () => {
  await mcpd?.kill('SIGTERM');
  await fake?.close();
});

describe('mcpgw run (headless)', () => {
  it('streams the answer to stdout and tool activity to stderr', async () => {
    fake.enqueue(
      { functionCalls: [{ name: 'testsrv__echo', args: { message: 'scripted' }, id: 'r1' }] },
      { text: ['The tool ', 'said: scripted.'] },
    );
    const r = await mcpgw(['run', 'echo scripted', '--servers', 'testsrv', '--auto-approve-policy', 'all'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('The tool said: scripted.\n');
    expect(r.stderr).toMatch(/^session s_\S+ \(policy all\)$/m);
    expect(r.stderr).toContain('→ testsrv/echo {"message":"scripted"}');
    expect(r.stderr).toMatch(/✓ testsrv\/echo \(\d+ ms\)/);
  });

  it('denies a call that needs a human, telling the model why, unless asked to wait', async () => {
    fake.enqueue({ functionCalls: [{ name: 'testsrv__echo', args: { message: 'x' }, id: 'r2' }] }, { text: 'It needed approval.' });
    const r = await mcpgw(['run', 'echo x', '--servers', 'testsrv'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/denied: this call needs a human approval and the run is headless/);
    expect(fake.functionResponsesIn(fake.requests.length - 1)).toEqual([
      expect.objectContaining({ id: 'r2', response: { error: expect.stringContaining('needs a human approval') } }),
    ]);
  });

  it('--wait-for-approval waits for any client to answer, then goes on', async () => {
    fake.enqueue(
      { functionCalls: [{ name: 'testsrv__echo', args: { message: 'approved elsewhere' }, id: 'r3' }] },
      { text: 'Done after approval.' },
    );
    const session = JSON.parse((await mcpgw(['sessions', 'new', '--servers', 'testsrv', '--json'], env)).stdout) as { id: string };
    const watcher = await mcpd.client();
    const approved = new Promise<void>((resolve) =>
      watcher.socket.once(
        'tool:approval_required',
        (e) => void watcher.request('tool:approval', { approvalId: e.approvalId, decision: 'approve' }).then(() => resolve()),
      ),
    );
    await watcher.request('session:attach', { sessionId: session.id });
    const run = mcpgw(['run', 'echo after approval', '--session', session.id, '--wait-for-approval'], env);
    await approved;
    const r = await run;
    watcher.close();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/waiting for approval: testsrv\/echo \{"message":"approved elsewhere"\}/);
    expect(r.stdout).toBe('Done after approval.\n');
  });

  it('--json prints every event as a JSON line', async () => {
    fake.enqueue({ text: 'plain answer' });
    const r = await mcpgw(['run', 'hello', '--servers', 'testsrv', '--json'], env);
    expect(r.code).toBe(0);
    const types = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(expect.arrayContaining(['user:message', 'agent:thinking', 'agent:response']));
    expect(types.at(-1)).toBe('agent:response');
  });

  it('exits 7 when Gemini fails', async () => {
    fake.enqueue({ error: { status: 401, message: 'API key not valid' } });
    const r = await mcpgw(['run', 'hello', '--servers', 'testsrv'], env);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/error: Gemini rejected the API key \(HTTP 401\)/);
  });
});

describe('mcpgw sessions, tools, audit, daemon status', () => {
  it('manages sessions and calls tools through mcpd', async () => {
    const created = await mcpgw(['sessions', 'new', '--servers', 'testsrv,memory', '--auto-approve-policy', 'read-only', '--json'], env);
    expect(created.code).toBe(0);
    const session = JSON.parse(created.stdout) as { id: string; policy: string; policyAssessment: { level: string } };
    expect(session.policy).toBe('read-only');
    // mcpd judges the policy from its rules and sends the judgement with the session, for every client's badge.
    expect(session.policyAssessment.level).toBe('trusts-claims');

    const called = await mcpgw(['tools', 'call', 'testsrv', 'echo', '--args', '{"message":"direct"}', '--session', session.id], env);
    expect(called.code).toBe(0);
    expect(called.stdout).toBe('echo: direct\n');

    const listed = await mcpgw(['sessions', 'ls'], env);
    expect(listed.stdout).toMatch(new RegExp(`^${session.id}\\s+active\\s+testsrv:running memory:stopped\\s+`, 'm'));

    const tools = await mcpgw(['tools', 'ls', '--session', session.id], env);
    expect(tools.stdout).toMatch(/^memory\s+read_graph\s+readOnly,idempotent\s+/m);

    const shown = await mcpgw(['sessions', 'show', session.id], env);
    expect(shown.stdout).toContain('tool testsrv/echo {"message":"direct"} (user)');
    expect(shown.stdout).toContain('policy read-only (TRUSTS SERVER CLAIMS)');

    const audit = await mcpgw(['audit', '--session', session.id], env);
    expect(audit.stdout).toMatch(/session\s+create/);
    expect(audit.stdout).toMatch(/tool\s+testsrv\/echo ok in \d+ ms \(user\)/);

    const status = JSON.parse((await mcpgw(['daemon', 'status', '--json'], env)).stdout) as { running: boolean; url: string };
    expect(status).toMatchObject({ running: true, url: mcpd.url });

    const killed = await mcpgw(['sessions', 'kill', '--all'], env);
    expect(killed.stdout).toContain(`ended ${session.id}`);
    expect((await mcpgw(['sessions', 'ls'], env)).stdout).not.toContain(session.id);
  });
});

describe('mcpd on demand', () => {
  it('a client command starts mcpd when none runs; daemon stop stops it', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'mcpgw-autostart-'));
    const mcpdSource = fileURLToPath(new URL('../../bin/mcpd.ts', import.meta.url));
    const local = {
      MCPGW_STATE_DIR: stateDir,
      MCPGW_CONFIG: writeTestConfig({ daemon: { port: 0 } }),
      MCPGW_MCPD: `${process.execPath} --import tsx ${mcpdSource}`,
    };
    expect((await mcpgw(['daemon', 'status'], local)).code).toBe(6);
    const listed = await mcpgw(['sessions', 'ls'], local);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain('mcpd is not running; starting it…');
    expect((await mcpgw(['daemon', 'status'], local)).stdout).toMatch(/^mcpd 0\.1\.0 running at http:\/\/127\.0\.0\.1:\d+/);
    const stopped = await mcpgw(['daemon', 'stop'], local);
    expect(stopped.stdout).toMatch(/^mcpd stopped \(pid \d+\)\.$/m);
    expect((await mcpgw(['daemon', 'status'], local)).code).toBe(6);
  });
});
