import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { containersOf } from '../helpers/docker.js';
import { MCPD_COMMAND, ROOT, stopStateDirDaemon, TEST_CONFIG } from './mcpd.js';
import { PtyTerminal } from './pty.js';

// Both sampling checkpoints answered in `mcpgw chat` in a real terminal: server-everything (real, in its sandbox)
// asks the model to write; the request, then the fake Gemini's answer, are shown before they go on.

/** Whether a process (not a child of ours) still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let fake: FakeGemini;
let stateDir: string;
let chat: PtyTerminal | undefined;
let sessionId = '';

beforeAll(async () => {
  fake = await startFakeGemini();
  stateDir = mkdtempSync(path.join(tmpdir(), 'mcpgw-e2e-'));
});

afterAll(async () => {
  chat?.dispose();
  const info = path.join(stateDir, 'daemon.json');
  const pid = existsSync(info) ? (JSON.parse(readFileSync(info, 'utf8')) as { pid: number }).pid : undefined;
  await stopStateDirDaemon(stateDir);
  // mcpd releases its lock before its last log lines: wait until the process is gone (no event tells of another
  // process's exit), so removing the state dir does not race its log file.
  for (let i = 0; pid !== undefined && i < 300 && alive(pid); i++) await delay(100);
  await fake?.close();
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
  if (sessionId) expect(await containersOf(sessionId)).toEqual([]);
});

describe('sampling in mcpgw chat', () => {
  it('y at the request and y at the answer return the model text to the server', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MCPGW_STATE_DIR: stateDir,
      GEMINI_API_KEY: 'test',
      GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
      MCPGW_MCPD: MCPD_COMMAND.join(' '),
      TERM: 'xterm-256color',
    };
    // Ink prints nothing live when it believes it runs in CI.
    for (const name of ['CI', 'CONTINUOUS_INTEGRATION', 'MCPGW_URL', 'MCPGW_TOKEN']) delete env[name];
    fake.enqueue(
      {
        functionCalls: [{ name: 'everything__trigger-sampling-request', args: { prompt: 'a haiku\u001b[2J', maxTokens: 40 }, id: 'samp' }],
      },
      { text: 'Quiet sandbox walls' },
      { text: 'The server has its haiku.' },
    );
    chat = new PtyTerminal({
      command: process.execPath,
      args: ['--import', 'tsx', 'test/e2e/chat-entry.ts', '--config', TEST_CONFIG, '--servers', 'everything'],
      cwd: ROOT,
      env,
      cols: 110,
      rows: 40,
    });
    const first = await chat.waitFor('● connected', { timeoutMs: 120_000 });
    sessionId = /New session (s_[A-Za-z0-9_-]+)/.exec(first)?.[1] ?? '';
    chat.write('sample a haiku');
    await chat.waitFor('> sample a haiku');
    chat.write('\r');

    await chat.waitFor('Allow this tool call?', { timeoutMs: 120_000 });
    chat.write('y');
    const request = await chat.waitFor((s) => s.includes('A server asks the model to write (sampling)') && s.includes('[y] send'), {
      timeoutMs: 60_000,
    });
    expect(request).toContain('You are a helpful test server.');
    // The server's escape sequence is shown as a picture, never sent to the terminal.
    expect(request).toContain('Resource trigger-sampling-request context: a haiku␛[2J');
    expect(request).toContain('maxTokens 40, temperature 0.7');
    expect(request).toContain('[y] send this to the model');
    chat.write('y');

    await chat.waitFor((s) => s.includes("Return the model's answer to the server?") && s.includes('Quiet sandbox walls'), {
      timeoutMs: 60_000,
    });
    chat.write('y');
    const done = await chat.waitFor((s) => s.includes('The server has its haiku.') && s.includes('● connected'), { timeoutMs: 60_000 });
    expect(done).toMatch(/✓ everything\.trigger-sampling-request/);
    expect(done).toMatch(/sampling: .* wrote \d+ tokens for everything/);
    expect(
      fake.requests.find((r) => JSON.stringify(r.body.systemInstruction ?? '').includes('helpful test server'))?.body.tools,
    ).toBeUndefined();
  });
});
