import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGemini } from '../fixtures/fake-gemini/index.js';
import { containersOf } from '../helpers/docker.js';
import type { McpdProcess } from '../helpers/mcpd-process.js';
import { newSessionOn, openWebClient, startWebWorld, stopWebWorld, type WebWorld } from './web-mcpd.js';

// A person approves both sampling checkpoints in Chromium: server-everything's trigger-sampling-request (real, in
// its sandbox) asks the model to write; the request, then the fake Gemini's answer, are shown before they go on.

let world: Partial<WebWorld> = {};
let fake: FakeGemini;
let mcpd: McpdProcess;
let page: Page;
let sessionId = '';
const pageErrors: string[] = [];

beforeAll(async () => {
  // Any page or console error fails the test, from the page's load on (a CSP refusal would be one).
  world = await startWebWorld(pageErrors);
  ({ fake, mcpd, page } = world as WebWorld);
});

afterAll(async () => {
  await stopWebWorld(world);
  if (sessionId) expect(await containersOf(sessionId)).toEqual([]);
});

describe('sampling in the web client', () => {
  it('shows the request, then the model answer, and returns it to the server once both are approved', async () => {
    await openWebClient(page, mcpd);

    sessionId = await newSessionOn(page, 'everything', 'ask');

    fake.enqueue(
      {
        functionCalls: [
          { name: 'everything__trigger-sampling-request', args: { prompt: 'a <b>bold</b> haiku', maxTokens: 50 }, id: 'samp' },
        ],
      },
      { text: 'Sandboxed words\n<img src=x onerror="window.__pwned=1">' },
      { text: 'The server got its haiku.' },
    );
    await page.getByTestId('composer').fill('Have the server sample a haiku');
    await page.getByTestId('composer').press('Enter');

    await page.getByTestId('approval-card').getByTestId('approve-once').click();

    const request = page.locator('[data-testid=sampling-card][data-phase=request]');
    await request.waitFor();
    expect(await request.getByTestId('sampling-server').textContent()).toBe('everything');
    const text = await request.textContent();
    expect(text).toContain('A server asks the model to write (sampling)');
    expect(text).toContain('You are a helpful test server.');
    expect(text).toContain('Resource trigger-sampling-request context: a <b>bold</b> haiku');
    expect(text).toContain('maxTokens 50, temperature 0.7');
    // Server text is text: no element came of its markup.
    expect(await request.getByTestId('sampling-text').locator('*').count()).toBe(0);
    const before = fake.requests.length;
    await request.getByTestId('sampling-approve').click();

    const result = page.locator('[data-testid=sampling-card][data-phase=result]');
    await result.waitFor();
    expect(fake.requests.length).toBe(before + 1);
    expect(fake.requests.at(-1)?.body.tools).toBeUndefined();
    expect(await result.getByTestId('sampling-answer').textContent()).toContain('Sandboxed words\n<img src=x onerror="window.__pwned=1">');
    expect(await result.getByTestId('sampling-answer').locator('*').count()).toBe(0);
    expect(await result.locator('img').count()).toBe(0);
    await result.getByTestId('sampling-approve').click();

    await page.getByText('The server got its haiku.').waitFor();
    const call = page.locator('#call-samp');
    await expect.poll(() => call.getAttribute('data-status')).toBe('succeeded');
    expect(await call.getByTestId('call-result').textContent()).toContain('Sandboxed words');
    await page.getByText(/sampling: .* wrote \d+ tokens for everything/).waitFor();
    await page.locator('[data-testid=sampling-card]').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
