import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RefusalLog } from '../../../daemon/api/refusal-log.js';
import { createLogger } from '../../../daemon/logger.js';
import { acquireLock } from '../../../daemon/state/lock.js';
import { writePrivateFile } from '../../../daemon/state/private-files.js';
import { TokenStore } from '../../../daemon/state/tokens.js';

const mode = (p: string): number => statSync(p).mode & 0o777;
const base = (): string => mkdtempSync(path.join(tmpdir(), 'mcpgw-files-'));
const original = process.umask();
afterEach(() => void process.umask(original));

describe('the state directory', () => {
  it.each([
    ['000', 0o000],
    ['002', 0o002],
    ['022', 0o022],
    ['077', 0o077],
  ])('is created 0700, parents too, from the first mkdir (umask %s)', async (_label, umask) => {
    process.umask(umask);
    for (const create of [
      (dir: string) => void createLogger({ file: path.join(dir, 'mcpd.log') }).info('hello'),
      (dir: string) => TokenStore.open(dir),
      (dir: string) => acquireLock(dir).then((lock) => lock.release()),
    ]) {
      const root = base();
      const state = path.join(root, 'home', '.local', 'state', 'mcpgw');
      await create(state);
      for (const dir of ['home', 'home/.local', 'home/.local/state', 'home/.local/state/mcpgw'])
        expect([dir, mode(path.join(root, dir))]).toEqual([dir, 0o700]);
      for (const file of readdirSync(state)) expect([file, mode(path.join(state, file))]).toEqual([file, 0o600]);
    }
  });

  it('is made 0700 again when an earlier version left it 0755 (its parents are left alone)', async () => {
    const root = base();
    const state = path.join(root, 'mcpgw');
    mkdirSync(state, { mode: 0o755 });
    chmodSync(state, 0o755);
    chmodSync(root, 0o755);
    await TokenStore.open(state);
    expect(mode(state)).toBe(0o700);
    expect(mode(root)).toBe(0o755);
  });

  it('gets files written 0600 whole: a reader never sees a wider mode or half a file', () => {
    process.umask(0);
    const file = path.join(base(), 'daemon.json');
    writePrivateFile(file, '{"a":1}');
    writePrivateFile(file, '{"a":2}');
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(path.dirname(file))).toEqual(['daemon.json']);
  });
});

describe('mcpd.log', () => {
  it('rotates by size while running, keeping two older files', () => {
    const dir = base();
    const file = path.join(dir, 'mcpd.log');
    const log = createLogger({ file, maxBytes: 1000 });
    for (let i = 0; i < 100; i++) log.info('line', { i, pad: 'x'.repeat(60) });
    expect(readdirSync(dir).sort()).toEqual(['mcpd.log', 'mcpd.log.1', 'mcpd.log.2']);
    for (const f of ['mcpd.log', 'mcpd.log.1', 'mcpd.log.2']) {
      expect(statSync(path.join(dir, f)).size).toBeLessThanOrEqual(1000);
      expect(mode(path.join(dir, f))).toBe(0o600);
    }
    // The newest line is in the current file, the lines before it in .1, then .2; older ones are gone.
    const lines = (f: string): number[] =>
      readFileSync(path.join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { i: number }).i);
    const current = lines('mcpd.log');
    expect(current.at(-1)).toBe(99);
    expect(lines('mcpd.log.1').at(-1)).toBe((current[0] ?? 0) - 1);
    expect(lines('mcpd.log.2').at(-1)).toBe((lines('mcpd.log.1')[0] ?? 0) - 1);
  });

  it('rotates at start when an earlier run left it too big', () => {
    const dir = base();
    const file = path.join(dir, 'mcpd.log');
    const first = createLogger({ file, maxBytes: 10_000 });
    for (let i = 0; i < 50; i++) first.info('line', { i, pad: 'x'.repeat(60) });
    createLogger({ file, maxBytes: 1000 }).info('fresh');
    expect(readFileSync(file, 'utf8')).toMatch(/^\{[^\n]*"msg":"fresh"[^\n]*\}\n$/);
  });

  it('cannot be grown without bound by refused clients: each window logs a few lines and one summary', () => {
    const lines: string[] = [];
    let now = 0;
    const refusals = new RefusalLog(createLogger({ sink: (l) => lines.push(l) }), { perWindow: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 10_000; i++) refusals.note('refused a connection with a missing or wrong token', { address: '127.0.0.1' });
    expect(lines).toHaveLength(3);
    now = 60_000;
    refusals.note('refused a connection with a missing or wrong token');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[3] ?? '{}')).toMatchObject({
      msg: 'more refused requests, not logged one by one',
      count: 9997,
      windowSeconds: 60,
    });
    refusals.flush();
    expect(lines).toHaveLength(5);
  });
});
