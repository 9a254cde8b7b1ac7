import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGemini } from '../fixtures/fake-gemini/index.js';
import { testServerEntries } from '../helpers/catalog.js';
import { containersOf } from '../helpers/docker.js';
import type { McpdProcess } from '../helpers/mcpd-process.js';
import { newSessionOn, openWebClient, startWebWorld, stopWebWorld, type WebWorld } from './web-mcpd.js';

// Large results come from test/fixtures/rich-server (a 160×160 PNG of noise, about 77 KB: over what an event carries).
const RICH = fileURLToPath(new URL('../fixtures/rich-server/server.mjs', import.meta.url));

let world: Partial<WebWorld> = {};
let fake: FakeGemini;
let mcpd: McpdProcess;
let page: Page;
const sessionIds: string[] = [];
const pageErrors: string[] = [];
const violations: string[] = [];

beforeAll(async () => {
  // Any page or console error fails the test (a CSP refusal of the data: image would be one).
  const { everything } = testServerEntries();
  world = await startWebWorld(pageErrors, { mcpServers: { everything, rich: { command: 'node', args: [RICH] } } });
  ({ fake, mcpd, page } = world as WebWorld);
  // Every CSP refusal, as the page itself sees it (the image's would be img-src).
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => console.warn(`csp-violation ${e.effectiveDirective} ${e.blockedURI}`)),
  );
  page.on('console', (msg) => msg.text().startsWith('csp-violation ') && violations.push(msg.text().slice(14)));
});

afterAll(async () => {
  await stopWebWorld(world);
  for (const id of sessionIds) expect(await containersOf(id)).toEqual([]);
});

/** Creates a session on one server (policy ask) from the page. */
async function newSession(server: string): Promise<void> {
  sessionIds.push(await newSessionOn(page, server, 'ask'));
}

/** Sends a message and approves the one call it leads to. */
async function sayAndApprove(text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
  await page.getByTestId('user-message').filter({ hasText: text }).waitFor();
  await page.getByTestId('approval-card').getByTestId('approve-once').click();
}

describe('rich tool results in the web client', () => {
  it('shows the image server-everything returned, decoded and drawn, with its type and size', async () => {
    await openWebClient(page, mcpd);

    await newSession('everything');

    fake.enqueue({ functionCalls: [{ name: 'everything__get-tiny-image', args: {}, id: 'call-img' }] }, { text: 'That is the MCP logo.' });
    await sayAndApprove('show me the tiny image');

    const call = page.locator('#call-call-img');
    await expect.poll(() => call.getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded');
    const image = call.getByTestId('result-image');
    await image.waitFor();
    expect(await image.getAttribute('src')).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    // Decoded and drawn: a broken or blocked image has a natural size of 0.
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(20);
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(20);
    expect(await call.getByTestId('result-media').textContent()).toMatch(/image · image\/png · [\d.]+ KiB · sent to the model/);
    await page.locator('[data-testid=assistant-message][data-done=true]').filter({ hasText: 'That is the MCP logo.' }).waitFor();
    expect(pageErrors).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('shows an image too large for its event, fetched from mcpd and checked again in the page', async () => {
    await newSession('rich');
    fake.enqueue({ functionCalls: [{ name: 'rich__big_image', args: {}, id: 'call-big' }] }, { text: 'Noise, 160 pixels square.' });
    await sayAndApprove('a big image please');
    const call = page.locator('#call-call-big');
    await expect.poll(() => call.getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded');
    const image = call.getByTestId('result-image');
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
    expect(await call.getByTestId('result-media').textContent()).toMatch(/image · image\/png · 75\.\d KiB · sent to the model/);
    expect(pageErrors).toEqual([]);
    expect(violations).toEqual([]);
  });
});
