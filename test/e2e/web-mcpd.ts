import { spawn } from 'node:child_process';
import path from 'node:path';
import { build } from 'vite';
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
