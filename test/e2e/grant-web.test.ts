import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { containersOf } from '../helpers/docker.js';
import { EgressLab } from '../helpers/egress-lab.js';
import { McpdProcess } from '../helpers/mcpd-process.js';
import { buildWeb, launchPage, openWebClient } from './web-mcpd.js';
import { egressEnv, NETSRV, secondSessionIsRefused, TARGET } from './grant-setup.js';

// The network-grant flow in Chromium: a tool asks for a name its allowlist does not cover, the page shows the
// question, the human allows it for the session, the retried call succeeds; another session is still refused.
// The target is a container on a network this file creates; Chromium talks to 127.0.0.1 only.

const lab = new EgressLab([TARGET]);
let fake: FakeGemini;
let mcpd: McpdProcess;
let browser: Browser;
let page: Page;
let sessionId = '';

beforeAll(async () => {
  await buildWeb();
  await lab.start();
  lab.setName(TARGET, lab.targetIp);
  fake = await startFakeGemini();
  mcpd = McpdProcess.create({
    config: { mcpServers: { netsrv: NETSRV } },
    env: { GEMINI_API_KEY: 'test', GOOGLE_GEMINI_BASE_URL: fake.baseUrl, ...egressEnv(lab) },
  });
  await mcpd.start();
  ({ browser, page } = await launchPage());
});

afterAll(async () => {
  await browser?.close();
  await mcpd?.kill('SIGTERM');
  await fake?.close();
  await lab.stop();
  if (mcpd) rmSync(mcpd.stateDir, { recursive: true, force: true, maxRetries: 5 });
  if (sessionId) expect(await containersOf(sessionId)).toEqual([]);
});

describe('a network grant in the web client', () => {
  it('shows the question as a card; "for this session" lets the retried call through', async () => {
    await openWebClient(page, mcpd);

    await page.getByTestId('new-session').click();
    await page.getByTestId('new-session-form').getByLabel('netsrv').check();
    await page.getByTestId('policy-select').selectOption('all');
    await page.getByTestId('create-session').click();
    await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
    sessionId = new URL(page.url()).pathname.split('/')[2] ?? '';

    fake.enqueue(
      { functionCalls: [{ name: 'netsrv__fetch', args: { url: `http://${TARGET}/first` }, id: 'call-first' }] },
      { text: 'The page could not be reached; I asked you for access.' },
    );
    await page.getByTestId('composer').fill('Fetch the page');
    await page.getByTestId('composer').press('Enter');

    const card = page.getByTestId('network-grant-card');
    await card.waitFor();
    expect(await card.getByTestId('grant-server').textContent()).toBe('netsrv');
    expect(await card.getByTestId('grant-host').textContent()).toBe(TARGET);
    expect(await card.getByTestId('grant-port').textContent()).toBe('ports 443 and 80');
    expect(await card.textContent()).toContain('why asked: not in the allowlist');
    await page.getByText('The page could not be reached; I asked you for access.').waitFor();
    const [first] = fake.functionResponsesIn(1, { lastTurnOnly: true });
    expect(JSON.stringify(first?.response)).toContain('fetch failed: ENOTFOUND');

    await card.getByTestId('grant-session').click();
    await card.waitFor({ state: 'detached' });

    fake.enqueue(
      { functionCalls: [{ name: 'netsrv__fetch', args: { url: `http://${TARGET}/retried` }, id: 'call-retried' }] },
      { text: 'Fetched it.' },
    );
    await page.getByTestId('composer').fill('Access is granted, try again');
    await page.getByTestId('composer').press('Enter');
    await page.getByText('Fetched it.').waitFor();
    const retried = fake.functionResponsesIn(3, { lastTurnOnly: true });
    expect(retried).toEqual([expect.objectContaining({ id: 'call-retried', response: { output: expect.stringMatching(/^200 /) } })]);
    // The model was told that access was asked for, then that it was granted (with the failed call, or before its
    // next turn when the refusal was reported after the call had ended).
    const told = JSON.stringify([fake.requests[1]?.body.contents?.at(-1), fake.requests[2]?.body.contents?.at(-1)]);
    expect(told).toMatch(/user has been asked to allow it/);
    expect(JSON.stringify(fake.requests[2]?.body.contents?.at(-1))).toMatch(
      /granted access to alpha\.egress\.test for the rest of this session/,
    );

    const client = await mcpd.client();
    try {
      const second = await secondSessionIsRefused(client);
      expect(second.text).toMatch(/^fetch failed: ENOTFOUND/);
      expect(second.asked).toMatchObject({ ask: { kind: 'network_grant', host: TARGET } });
      const audit = await client.request('audit:list', { sessionId });
      expect(audit.filter((e) => e.kind === 'egress_grant')).toEqual([expect.objectContaining({ decision: 'session', by: 'user' })]);
    } finally {
      client.close();
    }
  });
});
