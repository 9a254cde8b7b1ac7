import { rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Server as IoServer } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEventOf } from '../../src/protocol/events.js';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { webOpen } from '../../cli/client/web.js';
import { containersOf } from '../helpers/docker.js';
import { McpdProcess } from '../helpers/mcpd-process.js';
import { buildWeb, launchPage, newSessionOn, startMcpdOn } from './web-mcpd.js';

// Set MCPGW_CAPTURE_SCREENS=1 to refresh docs/screens/web-*.png from this run.
const CAPTURE = process.env.MCPGW_CAPTURE_SCREENS === '1';
const SCREENS = path.resolve(import.meta.dirname, '../../docs/screens');

let fake: FakeGemini;
let mcpd: McpdProcess;
let port = 0;
let browser: Browser;
let page: Page;
let sessionId = '';
const pageErrors: string[] = [];

async function capture(name: string, height = 900): Promise<void> {
  if (!CAPTURE) return;
  await mkdir(SCREENS, { recursive: true });
  await page.setViewportSize({ width: 1360, height });
  await page.screenshot({ path: path.join(SCREENS, name) });
  await page.setViewportSize({ width: 1360, height: 900 });
}

async function connected(p: Page = page): Promise<void> {
  await p.locator('[data-testid=connection-state][data-state=connected]').waitFor();
}

async function say(text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
  await page.getByTestId('user-message').filter({ hasText: text }).waitFor();
}

/** The page's tool call card for a call id, and its status once it reaches one of `statuses`. */
async function callSettles(callId: string, statuses: string[]): Promise<string> {
  const card = page.locator(`#call-${callId}`);
  await card.waitFor();
  await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toSatisfy((s) => statuses.includes(s ?? ''));
  return (await card.getAttribute('data-status')) ?? '';
}

/** What one origin's page sees when it opens a raw WebSocket to mcpd's Socket.io endpoint. */
function probeWebSocket(p: Page, target: string): Promise<string> {
  return p.evaluate(
    (url) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url);
        ws.onopen = () => {
          ws.close();
          resolve('open');
        };
        ws.onerror = () => resolve('refused');
      }),
    target,
  );
}

beforeAll(async () => {
  await buildWeb();
  fake = await startFakeGemini();
  mcpd = McpdProcess.create({ env: { GEMINI_API_KEY: 'test', GOOGLE_GEMINI_BASE_URL: fake.baseUrl } });
  await startMcpdOn(mcpd, 0);
  port = Number(new URL(mcpd.url).port);
  ({ browser, page } = await launchPage());
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // While mcpd restarts, Chromium logs each refused reconnection attempt, and mcpd answers a code it did not issue
    // with 404: those are expected.
    const expected = /WebSocket connection to .* failed|Failed to load resource: the server responded with a status of 404/;
    if (msg.type() === 'error' && !expected.test(msg.text())) pageErrors.push(`console: ${msg.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await mcpd?.kill('SIGTERM');
  await fake?.close();
  if (mcpd) rmSync(mcpd.stateDir, { recursive: true, force: true, maxRetries: 5 });
  // A stopped mcpd removes its sandboxes: none of this test's session may be left.
  if (sessionId) expect(await containersOf(sessionId)).toEqual([]);
});

describe('the web client in Chromium against a real mcpd', () => {
  it('explains how to open the UI without a code, and says so when mcpd does not know a code', async () => {
    await page.goto(`${mcpd.url}/`);
    await page.getByRole('heading', { name: 'Open this page with mcpgw web' }).waitFor();
    await page.goto(`${mcpd.url}/#code=mcpgw_code_not-a-code-mcpd-issued-0123456789`);
    await page.getByRole('heading', { name: 'mcpd does not know this link' }).waitFor();
    // The code never stays in the address bar (history, copied links).
    expect(page.url()).toBe(`${mcpd.url}/`);
    // A link of the old kind, with a token in it, is not taken (and not kept in the address bar either).
    await page.goto(`${mcpd.url}/#token=${mcpd.token}`);
    await page.getByRole('heading', { name: 'Open this page with mcpgw web' }).waitFor();
    expect(page.url()).toBe(`${mcpd.url}/`);
  });

  it('opens from the link `mcpgw web --print` gives, which carries a one-time code and works only once', async () => {
    const out: string[] = [];
    const env = { ...process.env, MCPGW_STATE_DIR: mcpd.stateDir, MCPGW_URL: undefined, MCPGW_TOKEN: undefined };
    expect(await webOpen({ print: true }, { out: (text) => out.push(text), err: () => undefined }, { env })).toBe(0);
    const link = out[0] ?? '';
    expect(out).toEqual([expect.stringMatching(new RegExp(`^${mcpd.url}/#code=mcpgw_code_[A-Za-z0-9_-]{43}$`))]);
    expect(link).not.toContain(mcpd.token);
    await page.goto(link);
    await connected();
    // The code never stays in the address bar; the tab keeps a browser credential of its own, not the user's token.
    expect(page.url()).toBe(`${mcpd.url}/`);
    const kept = await page.evaluate(() => window.sessionStorage.getItem('mcpgw.token'));
    expect(kept).toMatch(/^mcpgw_web_/);
    expect(kept).not.toBe(mcpd.token);
    await page.getByTestId('welcome').getByText('Pick a session, or start a new one.').waitFor();

    // The same link a second time (another tab, or whoever copied it from a command line) is refused.
    const second = await browser.newPage();
    try {
      await second.goto(link);
      await second.getByRole('heading', { name: 'This link was already used' }).waitFor();
      expect(await second.getByTestId('auth-screen').getAttribute('data-reason')).toBe('used');
      expect(second.url()).toBe(`${mcpd.url}/`);
      expect(await second.evaluate(() => window.sessionStorage.getItem('mcpgw.token'))).toBeNull();
    } finally {
      await second.close();
    }
  });

  it('creates a session, asks before a tool runs, then shows its output and the streamed answer', async () => {
    sessionId = await newSessionOn(page, 'testsrv', 'ask');
    await page.locator(`[data-testid=session-row][data-session="${sessionId}"]`).waitFor();

    fake.enqueue(
      { text: ['I will run the ', 'three steps.'], functionCalls: [{ name: 'testsrv__progress', args: { steps: 3 }, id: 'call-steps' }] },
      {
        text: [
          '## Done\n\n',
          'The tool reported **did 3 steps**.\n\n',
          '- step 1, 2 and 3 ran\n- `progress` was reported live\n\n',
          '<script>window.__pwned = 1</script>',
        ],
      },
    );
    await say('Please run the three steps');

    const card = page.getByTestId('approval-card');
    await card.waitFor();
    expect(await card.textContent()).toContain('Allow this tool call?');
    await expect.poll(() => card.textContent()).toMatch(/server\s*testsrv\s*tool\s*progress/);
    expect(await card.getByTestId('args').textContent()).toMatch(/steps[\s\S]*3/);
    expect(await card.textContent()).toContain('server claims: nothing about this tool');
    expect(await card.textContent()).toContain('policy asks because:');
    expect(await page.getByTestId('pending-count').textContent()).toContain('1 approval pending');
    await capture('web-approval.png');

    await card.getByTestId('approve-once').click();
    expect(await callSettles('call-steps', ['succeeded'])).toBe('succeeded');
    const call = page.locator('#call-call-steps');
    expect(await call.textContent()).toContain('Approved once by you');
    expect(await call.getByTestId('call-result').textContent()).toContain('did 3 steps');
    // The call's output console: the server's log line (progress lines too, but mcpd may merge those with the result).
    await call.getByTestId('tool-console').locator('button').waitFor();
    if ((await call.getByTestId('tool-console').locator('button').getAttribute('aria-expanded')) !== 'true')
      await call.getByTestId('tool-console').locator('button').click();
    expect(await call.getByTestId('tool-console').textContent()).toContain('progress done');

    const answer = page.locator('[data-testid=assistant-message][data-done=true]').filter({ hasText: 'did 3 steps' });
    await answer.waitFor();
    expect(await answer.locator('h2').textContent()).toBe('Done');
    expect(await answer.locator('strong').first().textContent()).toBe('did 3 steps');
    expect(await answer.locator('li').count()).toBe(2);
    // Model text is text: the <script> is shown, not run, and no element came of it.
    expect(await answer.textContent()).toContain('<script>window.__pwned = 1</script>');
    expect(await answer.locator('script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(fake.functionResponsesIn(1, { lastTurnOnly: true })).toEqual([
      expect.objectContaining({ id: 'call-steps', response: { output: 'did 3 steps' } }),
    ]);
  });

  it('denies a call with a reason, and the model is told that reason', async () => {
    const index = fake.requests.length;
    fake.enqueue(
      { functionCalls: [{ name: 'testsrv__echo', args: { message: 'rm -rf /' }, id: 'call-echo' }] },
      { text: 'Understood, I will not echo that.' },
    );
    await say('Echo something dangerous');
    const card = page.getByTestId('approval-card');
    await card.waitFor();
    expect(await card.textContent()).toContain('server claims: read-only (unverified)');
    await card.getByTestId('deny').click();
    await card.getByTestId('deny-reason').fill('not on this machine');
    await card.getByTestId('deny-confirm').click();
    expect(await callSettles('call-echo', ['denied'])).toBe('denied');
    expect(await page.locator('#call-call-echo').textContent()).toContain('Denied by you: not on this machine');
    await page.getByText('Understood, I will not echo that.').waitFor();
    expect(fake.functionResponsesIn(index + 1, { lastTurnOnly: true })).toEqual([
      expect.objectContaining({ id: 'call-echo', response: { error: 'The user denied this call: not on this machine' } }),
    ]);
  });

  it('cancels a running turn with the Cancel button', async () => {
    const index = fake.requests.length;
    fake.enqueue({ text: ['Let me think about ', 'that for a long time'], hang: true });
    await say('Think forever');
    await page.getByText('Let me think about that for a long time').waitFor();
    await page.getByTestId('cancel-turn').click();
    await page.getByText('[cancelled]').waitFor();
    expect(await fake.waitForResponseClose(index)).toEqual({ completed: false });
    await page.getByTestId('cancel-turn').waitFor({ state: 'detached' });
  });

  it('closes the card and says who answered when another client answers first', async () => {
    const other = await mcpd.client();
    try {
      const asked = new Promise<SessionEventOf<'question:asked'>>((resolve) => other.socket.on('question:asked', resolve));
      const info = await other.request('session:get', { sessionId });
      await other.request('session:attach', { sessionId, sinceSeq: info.lastSeq });
      fake.enqueue(
        { functionCalls: [{ name: 'testsrv__echo', args: { message: 'from elsewhere' }, id: 'call-elsewhere' }] },
        { text: 'Echoed from elsewhere.' },
      );
      await say('Echo from elsewhere');
      await page.getByTestId('approval-card').waitFor();
      const { questionId } = await asked;
      expect(
        await other.request('question:answer', { questionId, answer: { kind: 'tool_approval', decision: 'approve', scope: 'once' } }),
      ).toEqual({ applied: true });
      await page.locator('#call-call-elsewhere').getByText('Answered by you in another client: approved once').waitFor();
      expect(await page.getByTestId('approval-card').count()).toBe(0);
      await page.getByText('Echoed from elsewhere.').waitFor();
    } finally {
      other.close();
    }
  });

  it('restores the whole chat from the event log after a reload', async () => {
    const before = await chatShape(page);
    await page.reload();
    await connected();
    await page.getByText('Echoed from elsewhere.').waitFor();
    expect(await chatShape(page)).toEqual(before);
    expect(before.calls).toEqual([
      ['call-steps', 'succeeded'],
      ['call-echo', 'denied'],
      ['call-elsewhere', 'succeeded'],
    ]);
    expect(await page.locator('#call-call-echo').textContent()).toContain('Denied by you: not on this machine');
    // Tall enough to show the restored chat from the first message on.
    await capture('web-chat.png', 1250);
  });

  it('reconnects after mcpd restarts, replays what it missed, and follows new events', async () => {
    fake.enqueue({ functionCalls: [{ name: 'testsrv__echo', args: { message: 'across a restart' }, id: 'call-restart' }] });
    await say('Echo across a restart');
    await page.getByTestId('approval-card').waitFor();

    // Stopping mcpd cancels the waiting turn; the page may miss those events and must get them on reconnect.
    await mcpd.kill('SIGTERM');
    await page.locator('[data-testid=connection-state][data-state=reconnecting]').waitFor();
    await startMcpdOn(mcpd, port);
    await connected();
    await page.getByText(/Reconnected to mcpd \(it restarted\); \d+ missed events? replayed\./).waitFor();
    expect(['denied', 'interrupted']).toContain(await callSettles('call-restart', ['denied', 'interrupted']));
    expect(await page.getByTestId('approval-card').count()).toBe(0);

    fake.enqueue({ text: ['Yes, ', 'I am back.'] });
    await say('Are you back?');
    await page.getByText('Yes, I am back.').waitFor();
  });

  it('does not hand its credential to another process that took mcpd’s port while mcpd was down', async () => {
    const kept = (await page.evaluate(() => window.sessionStorage.getItem('mcpgw.token'))) ?? '';
    expect(kept).toMatch(/^mcpgw_web_/);
    await mcpd.kill('SIGTERM');
    await page.locator('[data-testid=connection-state][data-state=reconnecting]').waitFor();
    // Another local user's server on the freed port: it speaks Socket.io and would take a credential, but its
    // /identity cannot answer the page's challenge.
    const asked: string[] = [];
    const auths: unknown[] = [];
    const impostor = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ proof: 'bm90LWEtcHJvb2Y' }));
    });
    const io = new IoServer(impostor);
    io.use((socket, next) => {
      auths.push(socket.handshake.auth);
      next();
    });
    await new Promise<void>((resolve) => impostor.listen(port, '127.0.0.1', resolve));
    try {
      await expect.poll(() => asked.filter((u) => u.startsWith('/identity')).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      await expect
        .poll(() => page.getByTestId('connection-state').textContent())
        .toMatch(/not sending the token to 127\.0\.0\.1:\d+: its identity proof is wrong/);
      expect(auths).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        impostor.closeAllConnections();
      });
    }
    // The real mcpd comes back on its port, proves itself, and the page carries on with the same credential.
    await startMcpdOn(mcpd, port);
    await connected();
    expect(await page.evaluate(() => window.sessionStorage.getItem('mcpgw.token'))).toBe(kept);
  });

  it('refuses a WebSocket from a page of another origin, and a request naming another Host', async () => {
    const elsewhere: Server = createServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'),
    );
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const foreign = await browser.newPage();
    try {
      const target = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
      await foreign.goto(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`);
      expect(await probeWebSocket(foreign, target)).toBe('refused');
      // The same request from mcpd's own page is let through (the refusal is the Origin's, not the URL's).
      expect(await probeWebSocket(page, target)).toBe('open');
    } finally {
      await foreign.close();
      elsewhere.close();
    }
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { Host: `rebound.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    expect(pageErrors).toEqual([]);
  });
});

/** What the chat shows, structurally: messages and each call's final state, in order. */
async function chatShape(p: Page): Promise<{ users: string[]; answers: number; calls: Array<[string, string]> }> {
  const users = await p.getByTestId('user-message').locator('p.whitespace-pre-wrap').allTextContents();
  const answers = await p.getByTestId('assistant-message').count();
  const calls = await p
    .getByTestId('tool-call')
    .evaluateAll((els) => els.map((el): [string, string] => [el.id.replace(/^call-/, ''), el.getAttribute('data-status') ?? '']));
  return { users, answers, calls };
}
