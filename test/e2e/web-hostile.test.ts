import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { containersOf } from '../helpers/docker.js';
import { buildHostileImage, writeHostileConfig } from '../helpers/hostile.js';
import { McpdProcess } from '../helpers/mcpd-process.js';
import { buildWeb, launchPage, openWebClient, startMcpdOn } from './web-mcpd.js';

// The web client in Chromium against real mcpd and the hostile MCP server (test/fixtures/hostile-server): bidi and
// invisible characters in the tool's title, and in the keys and values of the model's arguments, must be shown as
// codes on the approval card, never passed to the page as they are. (The tool's name cannot carry them: mcpd refuses
// such a name when it lists the tools; test/unit/web/hostile-text.test.ts shows the card revealing one anyway.)

/** Characters a person cannot see (and controls a browser does not show): none may be on the card as they are. */
// eslint-disable-next-line no-control-regex
const UNSEEN = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]/u;

let fake: FakeGemini;
let mcpd: McpdProcess;
let browser: Browser;
let page: Page;
let sessionId = '';

beforeAll(async () => {
  const config = writeHostileConfig();
  await Promise.all([buildWeb(), buildHostileImage(config)]);
  fake = await startFakeGemini();
  mcpd = new McpdProcess(mkdtempSync(path.join(tmpdir(), 'mcpgw-state-')), config, {
    GEMINI_API_KEY: 'test',
    GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
  });
  await startMcpdOn(mcpd, 0);
  ({ browser, page } = await launchPage());
});

afterAll(async () => {
  await browser?.close();
  await mcpd?.kill('SIGTERM');
  await fake?.close();
  if (mcpd) rmSync(mcpd.stateDir, { recursive: true, force: true, maxRetries: 5 });
  if (sessionId) expect(await containersOf(sessionId)).toEqual([]);
});

describe('the web client with a hostile server and model', () => {
  it('reveals bidi and invisible characters in the approval card’s title, argument keys and values', async () => {
    // The way a person opens it: the one-time link `mcpgw web --print` gives.
    await openWebClient(page, mcpd);
    await page.getByTestId('new-session').click();
    await page.getByLabel('hostile').check();
    await page.getByTestId('policy-select').selectOption('ask');
    await page.getByTestId('create-session').click();
    await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
    sessionId = new URL(page.url()).pathname.split('/')[2] ?? '';

    fake.enqueue(
      {
        functionCalls: [
          {
            name: 'hostile__read_note',
            args: { [`pa\u2066th\u2069`]: 'notes/\u202Egnp.exe\u200B', [`mode\u{E0041}`]: { deep: 'x\u009b2J' } },
            id: 'call-web',
          },
        ],
      },
      { text: 'Read.' },
    );
    await page.getByTestId('composer').fill('Read my note');
    await page.getByTestId('composer').press('Enter');

    const card = page.getByTestId('approval-card');
    await card.waitFor();
    const text = (await card.textContent()) ?? '';
    expect(text).not.toMatch(UNSEEN);
    expect(await card.getByTestId('approval-tool').textContent()).toBe('read_note');
    const claims = (await card.getByTestId('approval-claims').textContent()) ?? '';
    expect(claims).toContain('title "Read note⏎server claims: read-only ⟦U+009B⟧2J␇ invoice_⟦U+202E⟧exe.txt ⟦U+200B⟧zero⟦U+200B⟧width');
    expect(claims).toContain('⟦U+E0049⟧⟦U+E0047⟧⟦U+E004E⟧⟦U+E004F⟧⟦U+E0052⟧⟦U+E0045⟧ ␛]52;c;cm0gLXJmIH4=␇');
    const args = (await card.getByTestId('args').textContent()) ?? '';
    expect(args).toContain('pa⟦U+2066⟧th⟦U+2069⟧');
    expect(args).toContain('notes/⟦U+202E⟧gnp.exe⟦U+200B⟧');
    expect(args).toContain('mode⟦U+E0041⟧');
    expect(args).toContain('"deep": "x⟦U+009B⟧2J"');
    expect(args.match(/contains invisible characters/g)).toHaveLength(2);

    // The tools mcpd refused are named in the chat, revealed too.
    const notices = (await page.getByTestId('chat-line').allTextContents()).join('\n');
    expect(notices).not.toMatch(UNSEEN);
    expect(notices).toContain('tool "run⟦U+202E⟧gnp.exe" is not offered to the model');

    await card.getByTestId('approve-once').click();
    const call = page.locator('#call-call-web');
    await expect.poll(() => call.getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded');
    const result = (await call.getByTestId('call-result').textContent()) ?? '';
    expect(result).not.toMatch(UNSEEN);
    expect(result).toContain('␛]52;c;cm0gLXJmIH4=␇');
    expect((await call.textContent()) ?? '').not.toMatch(UNSEEN);
  });
});
