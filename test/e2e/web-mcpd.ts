import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { build } from 'vite';
import { webOpen } from '../../cli/client/web.js';
import type { McpdProcess } from '../helpers/mcpd-process.js';

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
