import { describe, expect, it } from 'vitest';
import { StandbyPool, standbyFingerprint, type Standby } from '../../../daemon/sandbox/standby.js';

const launch = { env: { TOKEN: 'a' }, args: [], mounts: [] };
const standby = (id: string, fingerprint: string, madeAt = 0): Standby => ({ created: { id, name: id }, fingerprint, madeAt });

function pool(): { pool: StandbyPool; removed: string[]; errors: string[] } {
  const removed: string[] = [];
  const errors: string[] = [];
  return {
    pool: new StandbyPool(
      async (s) => void removed.push(s.created.id),
      (server, err) => void errors.push(`${server}: ${(err as Error).message}`),
    ),
    removed,
    errors,
  };
}

describe('standby fingerprint', () => {
  it('changes with the launch (a rotated secret, a mount), the image and the placement', () => {
    const base = standbyFingerprint(launch, 'img:1', undefined);
    expect(standbyFingerprint({ ...launch }, 'img:1', undefined)).toBe(base);
    expect(standbyFingerprint({ ...launch, env: { TOKEN: 'b' } }, 'img:1', undefined)).not.toBe(base);
    expect(standbyFingerprint({ ...launch, mounts: [{ source: '/a', target: '/data', readOnly: true }] }, 'img:1', undefined)).not.toBe(
      base,
    );
    expect(standbyFingerprint(launch, 'img:2', undefined)).not.toBe(base);
    const runc = { runtime: { kind: 'runc' as const, engineRuntime: undefined, name: 'runc' } };
    const runsc = { runtime: { kind: 'runsc' as const, engineRuntime: 'runsc', name: 'runsc' } };
    expect(standbyFingerprint(launch, 'img:1', runc)).not.toBe(base);
    expect(standbyFingerprint(launch, 'img:1', runsc)).not.toBe(standbyFingerprint(launch, 'img:1', runc));
    // Only a hash is kept: the secret's value is not in it.
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('StandbyPool', () => {
  it('hands a standby to one start with the same fingerprint, and removes a stale one instead', async () => {
    const { pool: p, removed } = pool();
    p.replenish('s', async () => standby('c1', 'f1'));
    await p.settled();
    expect(p.size).toBe(1);
    expect(p.take('s', 'f1')?.created.id).toBe('c1');
    expect(p.take('s', 'f1')).toBeUndefined();
    p.replenish('s', async () => standby('c2', 'f1'));
    await p.settled();
    expect(p.take('s', 'f2')).toBeUndefined();
    await p.settled();
    await new Promise((r) => setTimeout(r, 0));
    expect(removed).toEqual(['c2']);
    expect(p.size).toBe(0);
  });

  it('makes one per server at a time, and reports a failed make without keeping anything', async () => {
    const { pool: p, errors } = pool();
    let made = 0;
    const make = async (): Promise<Standby> => standby(`c${++made}`, 'f');
    p.replenish('s', make);
    p.replenish('s', make);
    await p.settled();
    p.replenish('s', make);
    await p.settled();
    expect(made).toBe(1);
    p.replenish('t', async () => Promise.reject(new Error('engine down')));
    await p.settled();
    expect(errors).toEqual(['t: engine down']);
    expect(p.size).toBe(1);
  });

  it('expires those that waited too long, and removes everything when closed (also one still being made)', async () => {
    const { pool: p, removed } = pool();
    p.replenish('old', async () => standby('c-old', 'f', 1_000));
    p.replenish('new', async () => standby('c-new', 'f', 9_000));
    await p.settled();
    expect(await p.expire(5_000, 10_000)).toBe(1);
    expect(removed).toEqual(['c-old']);
    let finish!: () => void;
    p.replenish('slow', () => new Promise<Standby>((resolve) => (finish = () => resolve(standby('c-slow', 'f')))));
    const closing = p.closeAll();
    finish();
    await closing;
    expect(removed.sort()).toEqual(['c-new', 'c-old', 'c-slow']);
    p.replenish('late', async () => standby('c-late', 'f'));
    await p.settled();
    expect(p.size).toBe(0);
  });
});

describe('StandbyPool, when there is nothing to make', () => {
  it('keeps nothing and reports nothing (an image not built yet is not a failure)', async () => {
    const { pool: p, errors, removed } = pool();
    await p.replenish('s', async () => undefined);
    expect(p.size).toBe(0);
    expect(errors).toEqual([]);
    expect(removed).toEqual([]);
  });
});
