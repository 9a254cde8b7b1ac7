import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../daemon/sandbox/semaphore.js';

describe('Semaphore', () => {
  it('grants up to capacity and queues the rest in FIFO order', async () => {
    const sem = new Semaphore(2);
    const order: number[] = [];
    const r1 = await sem.acquire();
    const r2 = await sem.acquire();
    const waiting = [3, 4].map((n) => sem.acquire().then((release) => (order.push(n), release)));
    expect(sem.inUse).toBe(2);
    expect(sem.queued).toBe(2);
    r1();
    r1(); // releasing twice gives back one permit only
    const r3 = await waiting[0]!;
    expect(order).toEqual([3]);
    r2();
    await waiting[1];
    expect(order).toEqual([3, 4]);
    expect(sem.queued).toBe(0);
    r3();
    expect(sem.inUse).toBe(1);
  });

  it('gives up after a timeout with a capacity error and leaves the queue clean', async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    await expect(sem.acquire({ timeoutMs: 5, what: 'starting "x"' })).rejects.toMatchObject({
      code: 'capacity',
      message: expect.stringContaining('starting "x" waited'),
    });
    expect(sem.queued).toBe(0);
  });

  it('gives up when aborted', async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
    expect(sem.queued).toBe(0);
  });
});
