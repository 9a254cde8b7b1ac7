import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { build } from 'vite';
import { webOpen } from '../../cli/client/web.js';
import { rmSync } from 'node:fs';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { McpdProcess } from '../helpers/mcpd-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The system's Chromium (never a downloaded one) and the flags every web test runs it with: it must never reach the
 * network or update itself; the tests talk to 127.0.0.1 only.
 */
export const CHROMIUM = process.env.MCPGW_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Builds the web client into web/dist, which mcpd serves only if it exists when it starts. */
export async function buildWeb(): Promise<void> {
  await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn' });
}

/**
 * Starts `mcpd` (from source) for an McpdProcess on a given port: a restarted daemon must come back where the
 * page's Socket.io reconnects to. McpdProcess.start() always asks for a free port, which suits the first start.
 */
export async function startMcpdOn(mcpd: McpdProcess, port: number, timeoutMs = 120_000): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bin/mcpd.ts'), '--config', mcpd.configFile, '--port', String(port)],
    {
      cwd: ROOT,
      env: { ...process.env, MCPGW_STATE_DIR: mcpd.stateDir, ...mcpd.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  mcpd.child = child;
  let output = '';
  mcpd.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mcpd did not listen within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mcpd exited with ${code} before it listened:\n${output}`));
    });
  });
}

/**
 * A headless Chromium page as every web test uses it. With `errors`, every page error and console error from the
 * page's load on is recorded there (a CSP refusal is one), for the test to assert on.
 */
export async function launchPage(errors?: string[], viewport = { width: 1360, height: 900 }): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(60_000);
  if (errors) {
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  }
  return { browser, page };
}

/** Opens the web client as `mcpgw web` would (a one-time code for this mcpd's state dir) and waits until it is connected. */
export async function openWebClient(page: Page, mcpd: McpdProcess): Promise<void> {
  const out: string[] = [];
  const env = { ...process.env, MCPGW_STATE_DIR: mcpd.stateDir, MCPGW_URL: undefined, MCPGW_TOKEN: undefined };
  expect(await webOpen({ print: true }, { out: (text) => out.push(text), err: () => undefined }, { env })).toBe(0);
  await page.goto(out[0] ?? '');
  await page.locator('[data-testid=connection-state][data-state=connected]').waitFor();
}

/** What a web test runs against: the fake Gemini, a real mcpd using it, and a Chromium page. */
export interface WebWorld {
  fake: FakeGemini;
  mcpd: McpdProcess;
  browser: Browser;
  page: Page;
}

/**
 * Builds the web client, starts the fake Gemini and an mcpd on it (with `config` over the test config, if given) and
 * opens a page that records every page and console error into `pageErrors` from its load on (a CSP refusal is one).
 */
export async function startWebWorld(pageErrors: string[], config?: Record<string, unknown>): Promise<WebWorld> {
  await buildWeb();
  const fake = await startFakeGemini();
  const mcpd = McpdProcess.create({ ...(config ? { config } : {}), env: { GEMINI_API_KEY: 'test', GOOGLE_GEMINI_BASE_URL: fake.baseUrl } });
  await startMcpdOn(mcpd, 0);
  return { fake, mcpd, ...(await launchPage(pageErrors)) };
}

/** Closes the page, stops mcpd and the fake Gemini, and removes mcpd's state dir: whatever of them was started. */
export async function stopWebWorld(world: Partial<WebWorld>): Promise<void> {
  await world.browser?.close();
  await world.mcpd?.kill('SIGTERM');
  await world.fake?.close();
  if (world.mcpd) rmSync(world.mcpd.stateDir, { recursive: true, force: true, maxRetries: 5 });
}

/** Creates a session on `server` alone from the new-session form (every available server starts ticked); its id. */
export async function newSessionOn(page: Page, server: string, policy?: string): Promise<string> {
  await page.getByTestId('new-session').click();
  const form = page.getByTestId('new-session-form');
  await form.getByLabel(server).waitFor();
  const ticked = form.getByRole('checkbox', { checked: true });
  while ((await ticked.count()) > 0) await ticked.first().uncheck();
  await form.getByLabel(server).check();
  if (policy) await page.getByTestId('policy-select').selectOption(policy);
  await page.getByTestId('create-session').click();
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  return new URL(page.url()).pathname.split('/')[2] ?? '';
}
