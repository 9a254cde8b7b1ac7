import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Credentials, listWebSessions } from '../../../daemon/state/credentials.js';
import { credentialHash, TokenStore } from '../../../daemon/state/tokens.js';
import { WebCodes } from '../../../daemon/state/web-codes.js';

const dir = (): string => mkdtempSync(path.join(tmpdir(), 'mcpgw-creds-'));

/** A clock the test moves. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('one-time web codes', () => {
  it('work once: the second redemption is refused as used', () => {
    const codes = new WebCodes();
    const { code } = codes.issue('alice', 'a'.repeat(64));
    expect(code).toMatch(/^mcpgw_code_[A-Za-z0-9_-]{43}$/);
    expect(codes.redeem(code)).toEqual({ ok: true, user: 'alice', parent: 'a'.repeat(64) });
    expect(codes.redeem(code)).toEqual({ ok: false, reason: 'used' });
  });

  it('expire after their lifetime (60 s by default), and are then forgotten', () => {
    const c = clock();
    const codes = new WebCodes({ now: c.now });
    const { code, expiresAt } = codes.issue('alice', 'p');
    expect(expiresAt).toBe(c.now() + 60_000);
    c.advance(60_000);
    expect(codes.redeem(code)).toEqual({ ok: false, reason: 'expired' });
    c.advance(10 * 60_000);
    expect(codes.redeem(code)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('refuse what they never issued, whatever its shape', () => {
    const codes = new WebCodes();
    codes.issue('alice', 'p');
    for (const bad of [undefined, 42, '', 'mcpgw_code_nope', 'x'.repeat(5000), { code: 'x' }]) {
      expect(codes.redeem(bad)).toEqual({ ok: false, reason: 'unknown' });
    }
  });

  it('are each their own: using one leaves the others valid', () => {
    const codes = new WebCodes();
    const first = codes.issue('alice', 'p').code;
    const second = codes.issue('alice', 'p').code;
    expect(first).not.toBe(second);
    expect(codes.redeem(first).ok).toBe(true);
    expect(codes.redeem(second).ok).toBe(true);
  });

  it('keep at most `max` at once, dropping the oldest', () => {
    const codes = new WebCodes({ max: 3 });
    const issued = Array.from({ length: 5 }, () => codes.issue('alice', 'p').code);
    expect(issued.map((c) => codes.redeem(c).ok)).toEqual([false, false, true, true, true]);
  });
});

describe('browser credentials', () => {
  it('come from a code, admit the code’s user, and are stored only as hashes (0600)', async () => {
    const state = dir();
    const creds = await Credentials.open(state);
    const owner = readFileSync(path.join(state, 'token'), 'utf8').trim();
    const principal = creds.authenticate(owner)!;
    expect(principal.kind).toBe('token');
    const redeemed = creds.redeemCode(creds.issueCode(principal).code);
    if (!redeemed.ok) throw new Error(redeemed.reason);
    expect(redeemed.token).toMatch(/^mcpgw_web_/);
    expect(creds.authenticate(redeemed.token)).toMatchObject({ user: principal.user, kind: 'web' });
    const file = path.join(state, 'web-sessions.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(redeemed.token);
    // A restarted daemon still accepts it (the page reconnects after a restart).
    expect((await Credentials.open(state)).authenticate(redeemed.token)?.user).toBe(principal.user);
  });

  it('cannot create codes themselves (a browser cannot extend its own access)', async () => {
    const state = dir();
    const creds = await Credentials.open(state);
    const owner = creds.authenticate(readFileSync(path.join(state, 'token'), 'utf8').trim())!;
    const web = creds.redeemCode(creds.issueCode(owner).code);
    if (!web.ok) throw new Error(web.reason);
    expect(() => creds.issueCode(creds.authenticate(web.token)!)).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('end with the token they came from, and when they expire', async () => {
    const state = dir();
    const c = clock(Date.now());
    const creds = await Credentials.open(state, { now: c.now, webTtlMs: 3600_000 });
    const bobToken = await creds.tokens.create('bob');
    const bob = creds.authenticate(bobToken)!;
    const web = creds.redeemCode(creds.issueCode(bob).code);
    if (!web.ok) throw new Error(web.reason);
    const webPrincipal = creds.authenticate(web.token)!;
    expect(listWebSessions(state, c.now()).map((w) => w.user)).toEqual(['bob']);

    c.advance(3600_000);
    expect(creds.authenticate(web.token)).toBeUndefined();
    expect(creds.isValid(webPrincipal)).toBe(false);

    const again = creds.redeemCode(creds.issueCode(bob).code);
    if (!again.ok) throw new Error(again.reason);
    expect(creds.isValid(creds.authenticate(again.token)!)).toBe(true);
    // `mcpgw daemon token revoke bob` from another process.
    (await TokenStore.open(state)).revoke({ user: 'bob' });
    creds.tokens.refresh();
    expect(creds.isValid(bob)).toBe(false);
    expect(creds.authenticate(again.token)).toBeUndefined();
    expect(creds.authenticate(bobToken)).toBeUndefined();
  });

  it('are not issued for a code whose token was revoked in between', async () => {
    const state = dir();
    const creds = await Credentials.open(state);
    const bob = creds.authenticate(await creds.tokens.create('bob'))!;
    const { code } = creds.issueCode(bob);
    (await TokenStore.open(state)).revoke({ user: 'bob' });
    expect(creds.redeemCode(code)).toEqual({ ok: false, reason: 'unknown' });
  });
});

describe('token ls / revoke', () => {
  it('lists users, ids and creation times, never a token or its hash', async () => {
    const state = dir();
    const store = await TokenStore.open(state);
    const bob = await store.create('bob');
    const list = store.list();
    expect(list.map((t) => [t.user, t.owner])).toEqual([
      [expect.any(String), true],
      ['bob', false],
    ]);
    for (const t of list) {
      expect(t.id).toMatch(/^[0-9a-f]{16}$/);
      expect(t.createdAt).toBeGreaterThan(0);
    }
    const shown = JSON.stringify(list);
    expect(shown).not.toContain(bob);
    expect(shown).not.toContain(credentialHash(bob).toString('hex'));
  });

  it('revokes by user or by id, and a running daemon’s store notices without a restart', async () => {
    const state = dir();
    const daemon = await TokenStore.open(state);
    const cli = await TokenStore.open(state);
    const bob1 = await cli.create('bob');
    const bob2 = await cli.create('bob');
    const carol = await cli.create('carol');
    expect(daemon.verify(bob1)).toBe('bob');
    const carolId = cli.list().find((t) => t.user === 'carol')!.id;
    expect(cli.revoke({ id: carolId }).map((t) => t.user)).toEqual(['carol']);
    expect(cli.revoke({ user: 'bob' }).map((t) => t.user)).toEqual(['bob', 'bob']);
    expect(cli.revoke({ user: 'nobody' })).toEqual([]);
    for (const gone of [bob1, bob2, carol]) expect(daemon.verify(gone)).toBeUndefined();
    expect(statSync(path.join(state, 'tokens.json')).mode & 0o777).toBe(0o600);
  });

  it('tells a watcher at once when another process revokes a token', async () => {
    const state = dir();
    const daemon = await TokenStore.open(state);
    const bob = await daemon.create('bob');
    const changed = new Promise<void>((resolve) => {
      const stop = daemon.watch(() => {
        stop();
        resolve();
      }, 60_000);
    });
    (await TokenStore.open(state)).revoke({ user: 'bob' });
    await changed;
    expect(daemon.verify(bob)).toBeUndefined();
  });

  it('rotates the owner’s token when it is revoked (the next open writes a fresh one)', async () => {
    const state = dir();
    const store = await TokenStore.open(state);
    const before = readFileSync(path.join(state, 'token'), 'utf8').trim();
    const owner = store.list().find((t) => t.owner)!;
    store.revoke({ id: owner.id });
    await TokenStore.open(state);
    const after = readFileSync(path.join(state, 'token'), 'utf8').trim();
    expect(after).not.toBe(before);
    expect(store.verify(before)).toBeUndefined();
    expect(store.verify(after)).toBe(owner.user);
    expect(statSync(path.join(state, 'token')).mode & 0o777).toBe(0o600);
  });

  it('still reads a token table written by an earlier version', async () => {
    const state = dir();
    const token = 'mcpgw_from-an-earlier-version-0123456789';
    writeFileSync(path.join(state, 'tokens.json'), JSON.stringify({ users: { [credentialHash(token).toString('hex')]: 'old' } }));
    writeFileSync(path.join(state, 'token'), `${token}\n`);
    const store = await TokenStore.open(state);
    expect(store.verify(token)).toBe('old');
    expect(store.list()).toEqual([expect.objectContaining({ user: 'old', owner: true, createdAt: undefined })]);
  });
});
