import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_LINE_BYTES, OutputBudget, cutLine } from '../../../daemon/sandbox/output-budget.js';

/** A budget on a clock the test moves by hand. */
function budgetAt(limits: { bytesPerSecond: number; linesPerSecond: number }) {
  const clock = { now: 1_000_000 };
  const summaries: string[] = [];
  const budget = new OutputBudget(
    limits,
    (line) => summaries.push(line),
    () => clock.now,
  );
  return { budget, summaries, clock };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('OutputBudget', () => {
  it('passes a burst of four seconds’ worth of lines, then drops and counts the rest', () => {
    const { budget, summaries } = budgetAt({ bytesPerSecond: 1024 * 1024, linesPerSecond: 10 });
    const passed = Array.from({ length: 100 }, (_, i) => budget.admit(`line ${i}`)).filter((l) => l !== undefined);
    expect(passed).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i}`));
    expect(budget.refuses()).toBe(true);
    budget.close();
    expect(summaries).toEqual(['[mcpgw] … 60 lines (420 B) of server output dropped (over the budget of 1.0 MiB/s and 10 lines/s)']);
  });

  it('counts bytes too: big lines spend the byte budget while the line budget lasts, and an overdraft is paid back first', () => {
    const { budget, summaries, clock } = budgetAt({ bytesPerSecond: 1024, linesPerSecond: 1000 });
    const line = 'x'.repeat(1000);
    // 4 KiB of credit: four lines fit, the fifth is let through on the last 96 bytes and overdraws.
    expect(Array.from({ length: 5 }, () => budget.admit(line))).toEqual([line, line, line, line, line]);
    expect(budget.admit(line)).toBeUndefined();
    expect(budget.admit('small')).toBeUndefined();
    clock.now += 1000;
    expect(budget.admit('small')).toBe('small');
    budget.close();
    expect(summaries[0]).toMatch(/^\[mcpgw\] … 2 lines \(1005 B\) of server output dropped/);
  });

  it('refills at its rate as time passes, up to the burst', () => {
    const { budget, clock } = budgetAt({ bytesPerSecond: 1024 * 1024, linesPerSecond: 10 });
    while (budget.admit('x') !== undefined);
    clock.now += 500;
    expect(Array.from({ length: 10 }, () => budget.admit('x')).filter(Boolean)).toHaveLength(5);
    clock.now += 3_600_000;
    expect(Array.from({ length: 100 }, () => budget.admit('x')).filter(Boolean)).toHaveLength(40);
  });

  it('summarises at most once per second, and only when something was dropped', () => {
    vi.useFakeTimers();
    const { budget, summaries } = budgetAt({ bytesPerSecond: 1024, linesPerSecond: 1 });
    for (let i = 0; i < 10; i++) budget.admit('x');
    expect(summaries).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatch(/… 6 lines \(6 B\)/);
    vi.advanceTimersByTime(5000);
    expect(summaries).toHaveLength(1);
    budget.drop(2048);
    vi.advanceTimersByTime(1000);
    expect(summaries[1]).toMatch(/… 1 line \(2\.0 KiB\)/);
    budget.close();
    expect(summaries).toHaveLength(2);
  });
});

describe('cutLine', () => {
  it('keeps short lines and cuts long ones to the cap, saying how much went', () => {
    expect(cutLine('short')).toBe('short');
    const cut = cutLine('a'.repeat(100_000));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(cut).toMatch(/^a+… \[89\.7 KiB cut by mcpgw\]$/);
  });

  it('never splits a multi-byte character', () => {
    const cut = cutLine('€'.repeat(10_000));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(cut).not.toContain('\uFFFD');
    expect(cut).toMatch(/^€+… \[/);
  });
});
