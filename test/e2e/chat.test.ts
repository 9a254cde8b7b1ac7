import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini, type RecordedRequest } from '../fixtures/fake-gemini/index.js';
import { containersOf } from '../helpers/docker.js';
import { ptyEnv, ROOT, startMcpd, stopChild, stopStateDirDaemon, TEST_CONFIG } from './mcpd.js';
import { PtyTerminal } from './pty.js';

// Set MCPGW_CAPTURE_SCREENS=1 to refresh the text captures in docs/screens/ from this run.
const CAPTURE = process.env.MCPGW_CAPTURE_SCREENS === '1';
const SCREENS = path.join(ROOT, 'docs/screens');

let fake: FakeGemini;
let stateDir: string;
let env: NodeJS.ProcessEnv;
let chat: PtyTerminal | undefined;
let mcpd: ChildProcess | undefined;
let sessionId = '';

function spawnChat(args: string[]): PtyTerminal {
  return new PtyTerminal({
    command: process.execPath,
    args: ['--import', 'tsx', 'test/e2e/chat-entry.ts', '--config', TEST_CONFIG, ...args],
    cwd: ROOT,
    env,
    cols: 100,
    rows: 34,
  });
}

/** Types a line the way a person does: the text, then (once it shows) enter. */
async function typeLine(t: PtyTerminal, text: string): Promise<void> {
  t.write(text);
  await t.waitFor(`> ${text}`);
  t.write('\r');
}

function capture(name: string, text: string): void {
  if (!CAPTURE) return;
  mkdirSync(SCREENS, { recursive: true });
  writeFileSync(path.join(SCREENS, name), `${text}\n`);
}

/** The functionResponse parts that end a model request (the answers to the previous round's calls), by call id. */
function functionResponses(request: RecordedRequest | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of request?.body.contents?.at(-1)?.parts ?? [])
    if (part.functionResponse?.id) out[part.functionResponse.id] = part.functionResponse.response;
  return out;
}

beforeAll(async () => {
  fake = await startFakeGemini();
  stateDir = mkdtempSync(path.join(tmpdir(), 'mcpgw-e2e-'));
  env = ptyEnv(stateDir, fake.baseUrl);
});

afterAll(async () => {
  chat?.dispose();
  if (mcpd) await stopChild(mcpd);
  await stopStateDirDaemon(stateDir);
  await fake?.close();
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
  // A stopped mcpd removes its sandboxes: none of this test's session may be left.
  if (sessionId) expect(await containersOf(sessionId)).toEqual([]);
});

describe('mcpgw chat in a real terminal', () => {
  it('starts mcpd, asks before a tool runs, and on y shows the tool output and the answer', async () => {
    fake.enqueue(
      { text: ['I will run the ', 'three steps.'], functionCalls: [{ name: 'testsrv__progress', args: { steps: 3 }, id: 'call-steps' }] },
      { text: ['## Done\n\n', 'The tool reported **did 3 steps**.\n\n', '- step 1, 2 and 3 ran\n- progress was reported live\n'] },
    );
    chat = spawnChat(['--servers', 'testsrv']);
    const first = await chat.waitFor('● connected', { timeoutMs: 120_000 });
    expect(first).toContain('Starting mcpd…');
    sessionId = /New session (s_[A-Za-z0-9_-]+)/.exec(first)?.[1] ?? '';
    expect(sessionId).not.toBe('');

    await typeLine(chat, 'Please run the three steps');
    const prompt = await chat.waitFor((s) => s.includes('Allow this tool call?') && s.includes('⚠ 1 approval pending'), {
      timeoutMs: 120_000,
    });
    expect(prompt).toMatch(/server testsrv\s+tool progress/);
    expect(prompt).toContain('"steps": 3');
    expect(prompt).toContain('server claims: nothing about this tool');
    expect(prompt).toContain('policy asks because:');
    capture('approval-prompt.txt', prompt);

    chat.write('y');
    const done = await chat.waitFor(
      (s) => s.includes('progress was reported live') && !s.includes('Answering') && s.includes('● connected'),
    );
    expect(done).toMatch(/✓ testsrv\.progress \{"steps":3\}\s+ok · \d+(\.\d+)? m?s · approved by you/);
    // The call's output console: the server's log message. (Its progress lines are shown too, but mcpd sometimes
    // drops progress notifications that arrive together with the result, so they are not asserted here.)
    expect(done).toContain('▾ output · ctrl-o to hide');
    expect(done).toContain('▪ [info test] progress done');
    expect(done).toContain('⎿ did 3 steps');
    expect(done).not.toContain('Allow this tool call?');
    capture('tool-console.txt', done);
    expect(functionResponses(fake.requests[1])).toEqual({ 'call-steps': { output: 'did 3 steps' } });
  });

  it('streams an answer as it arrives, and ctrl-c cancels the turn', async () => {
    const index = fake.requests.length;
    fake.enqueue({ text: ['# Plan\n\n', 'First I will **read** the files.\n\n', 'Then:\n- `summarise` them\n- report back'], hang: true });
    await typeLine(chat!, 'Make a plan');
    const streaming = await chat!.waitFor((s) => s.includes('report back') && /Answering… \d+s/.test(s) && s.includes('● connected'));
    expect(streaming).toContain('First I will read the files.');
    expect(streaming).toContain('• summarise them');
    capture('chat-streaming.txt', streaming);
    chat!.write('\x03');
    await chat!.waitFor('Cancelling the turn… press ctrl-c again to quit.');
    // What was streamed stays; the turn's end says it was cancelled.
    await chat!.waitFor(/report back\n\s+\[cancelled\]/);
    expect(await fake.waitForResponseClose(index)).toEqual({ completed: false });
  });

  it('n denies a call, and the reason typed is what the model is told', async () => {
    fake.enqueue(
      { functionCalls: [{ name: 'testsrv__echo', args: { message: 'rm -rf /' }, id: 'call-echo' }] },
      { text: 'Understood, I will not echo that.' },
    );
    const index = fake.requests.length;
    await typeLine(chat!, 'Echo something dangerous');
    const prompt = await chat!.waitFor((s) => s.includes('Allow this tool call?') && s.includes('⚠ 1 approval pending'));
    expect(prompt).toContain('server claims: read-only (unverified)');
    chat!.write('n');
    await chat!.waitFor('Deny. Tell the model why');
    chat!.write('not on this machine');
    await chat!.waitFor('reason> not on this machine');
    chat!.write('\r');
    const screen = await chat!.waitFor('Understood, I will not echo that.');
    expect(screen).toContain('⊘ testsrv.echo {"message":"rm -rf /"}  denied by you: not on this machine');
    expect(functionResponses(fake.requests[index + 1])).toEqual({
      'call-echo': { error: 'The user denied this call: not on this machine' },
    });
  });

  it('reconnects when mcpd restarts, replays what it missed, and keeps the history', async () => {
    fake.enqueue({ functionCalls: [{ name: 'testsrv__echo', args: { message: 'across a restart' }, id: 'call-restart' }] });
    await typeLine(chat!, 'Echo across a restart');
    await chat!.waitFor('Allow this tool call?');
    // Stopping mcpd cancels the waiting turn; the chat is already gone by then, so it misses those events.
    const stopped = stopStateDirDaemon(stateDir);
    const away = await chat!.waitFor((s) => /◌ reconnecting… \(attempt \d+\)/.test(s) && s.includes('⚠ 1 approval pending'));
    capture('status-reconnecting.txt', away);
    await stopped;
    mcpd = await startMcpd(env);
    const back = await chat!.waitFor(
      (s) => /Reconnected to mcpd \(it restarted\); [1-9]\d* missed events? replayed\./.test(s) && s.includes('● connected'),
    );
    expect(back).toContain('⊘ testsrv.echo {"message":"across a restart"}  denied by you: the turn was cancelled');
    expect(back).not.toContain('Allow this tool call?');

    fake.enqueue({ text: 'Back online.' });
    await typeLine(chat!, 'Are you there?');
    await chat!.waitFor('✦ Back online.');
    const history = chat!.all();
    for (const line of ['› Please run the three steps', '⎿ did 3 steps', 'denied by you: not on this machine', '[cancelled]'])
      expect(history).toContain(line);
  });

  it('/sessions lists sessions in a table', async () => {
    await typeLine(chat!, '/sessions');
    // The turn that just ended may still count as busy for a moment: the daemon ends a turn after its last event.
    const row = new RegExp(`●\\s+${sessionId}\\s+Please run the three steps\\s+(idle|active)[^\\n]*testsrv`);
    const screen = await chat!.waitFor((s) => row.test(s) && s.includes('● connected'));
    expect(screen).toContain('Your sessions (1)');
    capture('sessions.txt', screen);
  });

  it('quits on ctrl-c twice, and chat again restores the history', async () => {
    chat!.write('\x03');
    await chat!.waitFor('Press ctrl-c again to quit (or type /quit).');
    chat!.write('\x03');
    expect(await chat!.exited).toBe(0);
    chat!.dispose();

    chat = spawnChat([]);
    await chat.waitFor((s) => s.includes('● connected') && /── \d+ earlier events restored ──/.test(s), { scope: 'all' });
    const restored = chat.screen();
    const history = chat.all();
    expect(history).toContain(`Resumed session ${sessionId} “Please run the three steps”`);
    for (const line of [
      '› Please run the three steps',
      '▪ [info test] progress done',
      'The tool reported did 3 steps.',
      'denied by you: not on this machine',
      '✦ Back online.',
    ]) {
      expect(history).toContain(line);
    }
    capture('chat-restored.txt', restored);
    await typeLine(chat, '/quit');
    expect(await chat.exited).toBe(0);
  });
});
