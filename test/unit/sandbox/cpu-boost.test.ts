import { afterEach, describe, expect, it, vi } from 'vitest';
import { CpuBoost } from '../../../daemon/sandbox/cpu-boost.js';

function fakeEngine(refuse = false): {
  calls: string[];
  updateCpus: (id: string, n: number) => Promise<void>;
  kill: (id: string, s: string) => Promise<void>;
} {
  const calls: string[] = [];
  return {
    calls,
    updateCpus: async (id, n) => {
      calls.push(`update ${id} ${n}`);
      if (refuse) throw new Error('refused');
    },
    kill: async (id, signal) => {
      calls.push(`kill ${id} ${signal}`);
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('CpuBoost', () => {
  it('lowers the CPUs once, however often it is ended', async () => {
    const engine = fakeEngine();
    const boost = new CpuBoost(engine, 'c1', 500_000_000, 2_000_000_000);
    boost.arm();
    await Promise.all([boost.end(), boost.end()]);
    await boost.end();
    expect(engine.calls).toEqual(['update c1 500000000']);
  });

  it('lowers them when the window runs out, without anyone ending it', async () => {
    vi.useFakeTimers();
    const engine = fakeEngine();
    const boost = new CpuBoost(engine, 'c1', 500_000_000, 2_000_000_000, 5000);
    boost.arm();
    expect(engine.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(engine.calls).toEqual(['update c1 500000000']);
    await boost.end();
    expect(engine.calls).toHaveLength(1);
  });

  it('kills the container when the engine refuses to lower them', async () => {
    const engine = fakeEngine(true);
    const boost = new CpuBoost(engine, 'c1', 500_000_000, 2_000_000_000);
    await expect(boost.end()).rejects.toThrow('refused');
    expect(engine.calls).toEqual(['update c1 500000000', 'kill c1 SIGKILL']);
  });

  it('does nothing without a boost, and nothing after cancel', async () => {
    vi.useFakeTimers();
    const none = fakeEngine();
    const plain = new CpuBoost(none, 'c1', 500_000_000, 500_000_000);
    plain.arm();
    await plain.end();
    const cancelled = fakeEngine();
    const boost = new CpuBoost(cancelled, 'c2', 500_000_000, 2_000_000_000, 5000);
    boost.arm();
    boost.cancel();
    await vi.advanceTimersByTimeAsync(10_000);
    expect([...none.calls, ...cancelled.calls]).toEqual([]);
  });
});
