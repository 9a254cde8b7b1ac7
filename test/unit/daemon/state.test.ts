import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../../daemon/state/lock.js';
import { TokenStore } from '../../../daemon/state/tokens.js';

const dir = (): string => mkdtempSync(path.join(tmpdir(), 'mcpgw-unit-'));

describe('TokenStore', () => {
  it('creates the owner token on first start, mode 0600, stores only hashes', async () => {
    const state = dir();
    const store = await TokenStore.open(state);
    const token = readFileSync(path.join(state, 'token'), 'utf8').trim();
    expect(token).toMatch(/^mcpgw_[A-Za-z0-9_-]{32}$/);
    expect(statSync(path.join(state, 'token')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(state, 'tokens.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(state, 'tokens.json'), 'utf8')).not.toContain(token);
    expect(store.verify(token)).toBeTruthy();
    // Reopening keeps the same token.
    await TokenStore.open(state);
    expect(readFileSync(path.join(state, 'token'), 'utf8').trim()).toBe(token);
  });

  it.each([[undefined], [''], [42], ['mcpgw_nope'], ['x'.repeat(500)]])('refuses %j', async (bad) => {
    expect((await TokenStore.open(dir())).verify(bad)).toBeUndefined();
  });

  it('sees a token another process added, without a restart', async () => {
    const state = dir();
    const daemon = await TokenStore.open(state);
    const bob = await (await TokenStore.open(state)).create('bob');
    expect(daemon.verify(bob)).toBe('bob');
  });
});

describe('acquireLock', () => {
  it('lets one process hold a state dir and takes over a stale lock', async () => {
    const state = dir();
    const lock = await acquireLock(state);
    await expect(acquireLock(state)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('already running') });
    await lock.release();
    const again = await acquireLock(state);
    await again.release();
    // A lock left by a process that no longer exists is taken over.
    writeFileSync(path.join(state, 'mcpd.lock'), `${hostname()}:999999999:1\n`);
    const fresh = await acquireLock(state);
    await fresh.release();
  });
});
