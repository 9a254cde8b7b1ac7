import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer } from '../../../daemon/sandbox/idle-timer.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('a call’s per-call timeout', () => {
  it('fires after its time with the SDK’s timeout error, and progress starts it again', () => {
    const idle = new IdleTimer(1000);
    vi.advanceTimersByTime(900);
    idle.restart();
    vi.advanceTimersByTime(900);
    expect(idle.signal.aborted).toBe(false);
    vi.advanceTimersByTime(100);
    expect(idle.signal.aborted).toBe(true);
    expect(idle.signal.reason).toMatchObject({ code: -32001 });
  });

  it('stops while held (a person answers the server) and starts afresh when the last hold is released', () => {
    const idle = new IdleTimer(1000);
    const first = idle.hold();
    const second = idle.hold();
    vi.advanceTimersByTime(10_000);
    idle.restart();
    vi.advanceTimersByTime(10_000);
    first();
    first();
    vi.advanceTimersByTime(10_000);
    expect(idle.signal.aborted).toBe(false);
    second();
    vi.advanceTimersByTime(999);
    expect(idle.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(idle.signal.aborted).toBe(true);
  });

  it('never fires once cleared', () => {
    const idle = new IdleTimer(1000);
    const release = idle.hold();
    idle.clear();
    release();
    vi.advanceTimersByTime(5000);
    expect(idle.signal.aborted).toBe(false);
  });
});
