import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../tui/client/client.js';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { containersOf } from '../helpers/docker.js';
import { EgressLab } from '../helpers/egress-lab.js';
import { writeTestConfig } from '../helpers/mcpd-process.js';
import { egressEnv, NETSRV, secondSessionIsRefused, TARGET } from './grant-setup.js';
import { ptyEnv, ROOT, stopStateDirDaemon } from './mcpd.js';
import { PtyTerminal } from './pty.js';

// The network-grant flow in a real terminal: `mcpgw chat` shows the question, s allows the name for the session,
// the retried call succeeds; another session is still refused. The target is a container on a network this file
// creates; nothing leaves the machine.
const lab = new EgressLab([TARGET]);
let fake: FakeGemini;
let stateDir: string;
let config: string;
let env: NodeJS.ProcessEnv;
let chat: PtyTerminal | undefined;
let sessionId = '';

beforeAll(async () => {
  await lab.start();
  lab.setName(TARGET, lab.targetIp);
  fake = await startFakeGemini();
  stateDir = mkdtempSync(path.join(tmpdir(), 'mcpgw-e2e-grant-'));
  config = writeTestConfig({ mcpServers: { netsrv: NETSRV } });
  env = ptyEnv(stateDir, fake.baseUrl, egressEnv(lab));
});

afterAll(async () => {
  chat?.dispose();
  await stopStateDirDaemon(stateDir);
  await fake?.close();
  await lab.stop();
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
  if (sessionId) expect(await containersOf(sessionId)).toEqual([]);
});

async function typeLine(t: PtyTerminal, text: string): Promise<void> {
  t.write(text);
  await t.waitFor(`> ${text}`);
  t.write('\r');
}

describe('a network grant in mcpgw chat', () => {
  it('asks in the terminal; s allows it for the session and the retried call succeeds', async () => {
    chat = new PtyTerminal({
      command: process.execPath,
      args: ['--import', 'tsx', 'test/e2e/chat-entry.ts', '--config', config, '--servers', 'netsrv', '--auto-approve-policy', 'all'],
      cwd: ROOT,
      env,
      cols: 110,
      rows: 36,
    });
    const first = await chat.waitFor('● connected', { timeoutMs: 120_000 });
    sessionId = /New session (s_[A-Za-z0-9_-]+)/.exec(first)?.[1] ?? '';

    fake.enqueue(
      { functionCalls: [{ name: 'netsrv__fetch', args: { url: `http://${TARGET}/first` }, id: 'call-first' }] },
      { text: 'It was refused; access was asked for.' },
    );
    await typeLine(chat, 'Fetch the page');
    const prompt = await chat.waitFor((s) => s.includes('Allow network access?') && s.includes('access was asked for'), {
      timeoutMs: 120_000,
    });
    expect(prompt).toMatch(/server netsrv wants alpha\.egress\.test \(ports 443 and 80\)/);
    expect(prompt).toContain('why asked: not in the allowlist (seen as dns)');
    expect(prompt).toMatch(/o once \(this call\)\s+s for this session\s+d deny/);

    chat.write('s');
    await chat.waitFor((s) => !s.includes('Allow network access?'));

    fake.enqueue(
      { functionCalls: [{ name: 'netsrv__fetch', args: { url: `http://${TARGET}/retried` }, id: 'call-retried' }] },
      { text: 'Fetched it after the grant.' },
    );
    await typeLine(chat, 'Try again');
    await chat.waitFor('Fetched it after the grant.', { timeoutMs: 60_000 });
    expect(fake.functionResponsesIn(3, { lastTurnOnly: true })).toEqual([
      expect.objectContaining({ id: 'call-retried', response: { output: expect.stringMatching(/^200 /) } }),
    ]);

    const { url } = JSON.parse(readFileSync(path.join(stateDir, 'daemon.json'), 'utf8')) as { url: string };
    const client = await new DaemonClient({ url, token: readFileSync(path.join(stateDir, 'token'), 'utf8').trim() }).connect();
    try {
      const second = await secondSessionIsRefused(client);
      expect(second.text).toMatch(/^fetch failed: ENOTFOUND/);
      expect(second.asked).toMatchObject({ ask: { kind: 'network_grant', host: TARGET } });
    } finally {
      client.close();
    }
  });
});
