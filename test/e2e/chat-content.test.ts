import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { ptyEnv, ROOT, stopStateDirDaemon, TEST_CONFIG } from './mcpd.js';
import { PtyTerminal } from './pty.js';

let fake: FakeGemini;
let stateDir: string;
let env: NodeJS.ProcessEnv;
let chat: PtyTerminal | undefined;

beforeAll(async () => {
  fake = await startFakeGemini();
  stateDir = mkdtempSync(path.join(tmpdir(), 'mcpgw-e2e-'));
  env = ptyEnv(stateDir, fake.baseUrl);
});

afterAll(async () => {
  chat?.dispose();
  await stopStateDirDaemon(stateDir);
  await fake?.close();
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
});

describe('mcpgw chat: resources and prompts of server-everything in a real terminal', () => {
  it('/resources lists them; a prompt typed with tab completion (names and the server’s values) reaches the model; a template URI is completed and read', async () => {
    chat = new PtyTerminal({
      command: process.execPath,
      args: ['--import', 'tsx', 'test/e2e/chat-entry.ts', '--config', TEST_CONFIG, '--servers', 'everything'],
      cwd: ROOT,
      env,
      cols: 140,
      rows: 40,
    });
    await chat.waitFor('● connected', { timeoutMs: 120_000 });
    chat.write('/resources');
    await chat.waitFor('> /resources');
    chat.write('\r');
    await chat.waitFor('demo://resource/static/document/architecture.md', { timeoutMs: 60_000 });

    // Text first, then tab once it shows (a chunk with a tab inside is a paste, not a key).
    const tab = async (typed: string, shown: string, completed: string): Promise<void> => {
      chat!.write(typed);
      await chat!.waitFor(`> ${shown}`);
      chat!.write('\t');
      await chat!.waitFor(`> ${completed}`);
    };
    await tab('/prompt:compl', '/prompt:compl', '/prompt:completable-prompt');
    await tab('dep', '/prompt:completable-prompt dep', '/prompt:completable-prompt department=');
    await tab('Sa', '/prompt:completable-prompt department=Sa', '/prompt:completable-prompt department=Sales');
    await tab('name=E', '/prompt:completable-prompt department=Sales name=E', '/prompt:completable-prompt department=Sales name=Eve');

    fake.enqueue({ text: 'Eve will lead Sales.' });
    const before = fake.requests.length;
    chat.write('\r');
    await chat.waitFor('Eve will lead Sales.');
    const sent = JSON.stringify(fake.requests[before]?.body.contents?.at(-1));
    expect(sent).toContain('the user attached prompt \\"completable-prompt\\" from MCP server \\"everything\\"');
    expect(sent).toContain('Please promote Eve to the head of the Sales team.');

    // A resource template: tab finishes its literal text (two templates share the start: both are listed), then
    // the server's completion/complete values for its {resourceId}; enter reads the URI they make.
    await tab('/read demo://resource/dyn', '/read demo://resource/dyn', '/read demo://resource/dynamic/');
    await chat.waitFor('demo://resource/dynamic/text/  demo://resource/dynamic/blob/');
    await tab('t', '/read demo://resource/dynamic/t', '/read demo://resource/dynamic/text/');
    await tab('7', '/read demo://resource/dynamic/text/7', '/read demo://resource/dynamic/text/7 ');
    chat.write('\r');
    await chat.waitFor('Resource 7: This is a plaintext resource');
    chat.write('/quit\r');
    expect(await chat.exited).toBe(0);
  });
});
