import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGemini } from '../fixtures/fake-gemini/index.js';
import { containersOf } from '../helpers/docker.js';
import type { McpdProcess } from '../helpers/mcpd-process.js';
import { newSessionOn, openWebClient, startWebWorld, stopWebWorld, type WebWorld } from './web-mcpd.js';

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

describe('the web side panel: resources and prompts of server-everything, in Chromium against a real mcpd', () => {
  it('reads and attaches a resource, fills a template and a prompt with the server’s completions, reads one and sends the other', async () => {
    await openWebClient(page, mcpd);

    sessionId = await newSessionOn(page, 'everything');

    // Resources: the panel lists the server's, reads one (marked as the server's) and attaches it.
    const panel = page.getByTestId('content-panel');
    const row = panel.locator('[data-testid=resource-row][data-uri^="demo://resource/static/document/"]').first();
    await row.waitFor();
    const uri = (await row.getAttribute('data-uri')) ?? '';
    await row.getByTestId('resource-read').click();
    await panel.getByTestId('resource-view').getByText('the server’s content (untrusted)').waitFor();
    await row.getByTestId('resource-attach').click();
    await page
      .getByTestId('chat-line')
      .filter({ hasText: `Attached ${uri} from everything` })
      .waitFor();

    // A template: filled in like a prompt, its {resourceId} offered by the server (completion/complete), then read.
    await panel.locator('[data-testid=template-row][data-template="demo://resource/dynamic/text/{resourceId}"]').click();
    await panel.getByTestId('template-var-resourceId').fill('7');
    await panel.getByTestId('template-suggestions-resourceId').getByRole('button', { name: '7' }).click();
    expect(await panel.getByTestId('template-uri').textContent()).toContain('demo://resource/dynamic/text/7');
    await panel.getByTestId('template-read').click();
    await panel.getByTestId('resource-view').getByText('Resource 7: This is a plaintext resource').waitFor();

    // Prompts: pick one, let the server complete its first argument, then the second from the first.
    await panel.getByTestId('content-tab-prompts').click();
    await panel.locator('[data-testid=prompt-row][data-name=completable-prompt]').click();
    await panel.getByTestId('prompt-arg-department').fill('S');
    const departments = panel.getByTestId('prompt-suggestions-department');
    await departments.getByRole('button', { name: 'Sales' }).waitFor();
    expect(await departments.getByRole('button').allTextContents()).toEqual(['Sales', 'Support']);
    await departments.getByRole('button', { name: 'Sales' }).click();
    await panel.getByTestId('prompt-arg-name').focus();
    const names = panel.getByTestId('prompt-suggestions-name');
    await names.getByRole('button', { name: 'Eve' }).click();
    expect(await panel.getByTestId('prompt-arg-name').inputValue()).toBe('Eve');

    fake.enqueue({ text: 'Eve it is.' });
    const before = fake.requests.length;
    await panel.getByTestId('prompt-send').click();
    await page.getByTestId('user-message').filter({ hasText: 'Follow the "completable-prompt" prompt of everything' }).waitFor();
    await page.getByText('Eve it is.').waitFor();
    const sent = JSON.stringify(fake.requests[before]?.body.contents?.at(-1));
    expect(sent).toContain(`the user attached resource \\"${uri}\\" from MCP server \\"everything\\"`);
    expect(sent).toContain('Please promote Eve to the head of the Sales team.');

    // The log level control answers.
    await panel.getByTestId('log-level').selectOption('error');
    await panel.getByTestId('log-level-set').click();
    await page.getByText('log level of "everything" set to error').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
