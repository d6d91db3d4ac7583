import { describe, expect, it } from 'vitest';
import { backoffDelay, pause } from '../../../../src/board/ui/source/backoff.js';

describe('backoffDelay', () => {
  const fixed = (random: number) => ({ baseMs: 1000, maxMs: 30_000, random: () => random });

  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, fixed(0.5)))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(1000, fixed(0.5))).toBe(30_000);
  });

  it('spreads retries ±20 % so that pages do not all come back at once', () => {
    expect(backoffDelay(2, fixed(0))).toBe(3200);
    expect(backoffDelay(2, fixed(1))).toBe(4800);
    expect(backoffDelay(10, fixed(1))).toBe(30_000);
  });
});

describe('pause', () => {
  it('ends early when aborted or woken', async () => {
    const run = new AbortController();
    const wake = new EventTarget();
    const started = Date.now();
    const aborted = pause(60_000, run.signal, wake);
    run.abort();
    await aborted;
    const woken = pause(60_000, new AbortController().signal, wake);
    wake.dispatchEvent(new Event('online'));
    await woken;
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
