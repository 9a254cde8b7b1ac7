import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini, type RecordedRequest } from '../fixtures/fake-gemini/index.js';
import { containersOf } from '../helpers/docker.js';
import { McpdProcess } from '../helpers/mcpd-process.js';
import { MCPD_COMMAND, ROOT } from './mcpd.js';
import { PtyTerminal } from './pty.js';
import { buildWeb, launchPage, openWebClient, startMcpdOn } from './web-mcpd.js';

// server-everything's elicitation tool, called by the fake Gemini, answered by a person: in the TUI through a real
// pseudo-terminal, and in the web client in Chromium. One real mcpd serves both.

const ELICIT = 'everything__trigger-elicitation-request';

let fake: FakeGemini;
let mcpd: McpdProcess;
let chat: PtyTerminal | undefined;
let browser: Browser | undefined;
const sessions: string[] = [];

/** What the model was told a call returned, by call id (the last request's function responses). */
function functionResponses(request: RecordedRequest | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of request?.body.contents?.at(-1)?.parts ?? [])
    if (part.functionResponse?.id) out[part.functionResponse.id] = part.functionResponse.response;
  return out;
}

beforeAll(async () => {
  await buildWeb();
  fake = await startFakeGemini();
  mcpd = McpdProcess.create({ env: { GEMINI_API_KEY: 'test', GOOGLE_GEMINI_BASE_URL: fake.baseUrl } });
  await startMcpdOn(mcpd, 0);
});

afterAll(async () => {
  chat?.dispose();
  await browser?.close();
  await mcpd?.kill('SIGTERM');
  await fake?.close();
  if (mcpd) rmSync(mcpd.stateDir, { recursive: true, force: true, maxRetries: 5 });
  // A stopped mcpd removes its sandboxes.
  for (const id of sessions) expect(await containersOf(id)).toEqual([]);
});

describe('an elicitation answered in the terminal', () => {
  it('shows the server and its message, asks one field at a time, refuses a bad email, and sends the form', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MCPGW_STATE_DIR: mcpd.stateDir,
      GEMINI_API_KEY: 'test',
      GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
      MCPGW_MCPD: MCPD_COMMAND.join(' '),
      TERM: 'xterm-256color',
    };
    // Ink prints nothing live when it believes it runs in CI.
    for (const name of ['CI', 'CONTINUOUS_INTEGRATION', 'MCPGW_URL', 'MCPGW_TOKEN']) delete env[name];
    chat = new PtyTerminal({
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        'test/e2e/chat-entry.ts',
        '--config',
        mcpd.configFile,
        '--servers',
        'everything',
        '--auto-approve-policy',
        'all',
      ],
      cwd: ROOT,
      env,
      cols: 110,
      rows: 40,
    });
    const first = await chat.waitFor('● connected', { timeoutMs: 120_000 });
    sessions.push(/New session (s_[A-Za-z0-9_-]+)/.exec(first)?.[1] ?? '');

    fake.enqueue({ functionCalls: [{ name: ELICIT, args: {}, id: 'tui-1' }] }, { text: 'Thanks, noted.' });
    chat.write('ask me for my details');
    await chat.waitFor('> ask me for my details');
    chat.write('\r');

    const asked = await chat.waitFor((s) => s.includes('A server asks for input') && s.includes('name> '), { timeoutMs: 120_000 });
    expect(asked).toMatch(/server everything \(its words below, not mcpgw's\)/);
    expect(asked).toContain('Please provide inputs for the following fields:');
    expect(asked).toContain('field 1 of 13: String * required (text)');

    chat.write('Ada Lovelace');
    await chat.waitFor('name> Ada Lovelace');
    chat.write('\r');
    await chat.waitFor('field 2 of 13: Boolean');
    chat.write('y');
    await chat.waitFor('[x] yes');
    chat.write('\r');
    await chat.waitFor('firstLine> It was a dark and stormy night.');
    chat.write('\r');
    await chat.waitFor('email> ');
    chat.write('nope');
    await chat.waitFor('email> nope');
    chat.write('\r');
    await chat.waitFor('String with email format is not an email address');
    // The refused text stays for correcting, the cursor at its end.
    for (const left of ['nop', 'no', 'n']) {
      chat.write('\u007f'); // backspace, one key at a time as a person types
      await chat.waitFor((s) => s.includes(`email> ${left}`) && !s.includes(`email> ${left}${'nope'[left.length]}`));
    }
    chat.write('\u007f');
    await chat.waitFor('email> name@example.org'); // the empty box shows its format
    chat.write('ada@example.org');
    await chat.waitFor('email> ada@example.org');
    chat.write('\r');
    await chat.waitFor('field 5 of 13');
    // The rest keep their defaults: esc shows the summary, enter sends.
    chat.write('\u001b');
    const summary = await chat.waitFor((s) => s.includes('[enter] send') && s.includes('Integer: 42'));
    expect(summary).toMatch(/String\*: Ada Lovelace/);
    expect(summary).toContain('Titled Single Select Enum: Superman');
    chat.write('\r');

    const done = await chat.waitFor((s) => s.includes('Thanks, noted.') && /asked for input: accepted by \S+ \(11 fields sent\)/.test(s), {
      timeoutMs: 120_000,
    });
    expect(done).not.toContain('A server asks for input');
    const response = JSON.stringify(functionResponses(fake.requests.at(-1))['tui-1']);
    expect(response).toContain('User provided the requested information');
    expect(response).toContain('- Name: Ada Lovelace');
    expect(response).toContain('- Email: ada@example.org');
    chat.dispose();
    chat = undefined;
  });
});

describe('an elicitation answered in the web client', () => {
  let page: Page;

  it('shows a card with a real form; a missing required field is refused on the page, then the form is sent', async () => {
    ({ browser, page } = await launchPage(undefined, { width: 1360, height: 1000 }));
    await openWebClient(page, mcpd);
    await page.getByTestId('new-session').click();
    await page.getByLabel('everything').check();
    await page.getByTestId('policy-select').selectOption('all');
    await page.getByTestId('create-session').click();
    await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
    sessions.push(new URL(page.url()).pathname.split('/')[2] ?? '');

    fake.enqueue({ functionCalls: [{ name: ELICIT, args: {}, id: 'web-1' }] }, { text: 'Got it from the web.' });
    await page.getByTestId('composer').fill('ask me in the browser');
    await page.getByTestId('composer').press('Enter');

    const card = page.getByTestId('elicitation-card');
    await card.waitFor({ timeout: 120_000 });
    expect(await card.getByTestId('elicitation-server').textContent()).toBe('everything');
    expect((await card.getByTestId('elicitation-message').textContent())?.trim()).toBe('Please provide inputs for the following fields:');
    expect(await card.getByTestId('field-firstLine').locator('input').inputValue()).toBe('It was a dark and stormy night.');

    await card.getByTestId('elicitation-accept').click();
    expect(await card.getByTestId('problem-name').textContent()).toContain('String is required');
    await card.getByTestId('field-name').locator('input').fill('Grace Hopper');
    await card.getByTestId('field-email').locator('input').fill('grace@example.org');
    await card.getByTestId('field-check').getByLabel('yes').check();
    await card.getByTestId('field-titledSingleSelectEnum').locator('select').selectOption('hero-3');
    await card.getByTestId('elicitation-accept').click();

    await page.getByText('Got it from the web.').waitFor({ timeout: 120_000 });
    await card.waitFor({ state: 'detached' });
    await page.getByText(/asked for input: accepted by \S+/).waitFor();
    const response = JSON.stringify(functionResponses(fake.requests.at(-1))['web-1']);
    expect(response).toContain('- Name: Grace Hopper');
    expect(response).toContain('- Agreed to terms: true');
    expect(response).toContain('titledSingleSelectEnum');
    expect(response).toContain('hero-3');
  });
});
