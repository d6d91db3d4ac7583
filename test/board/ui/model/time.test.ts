import { describe, expect, it } from 'vitest';
import { parseTask } from '../../../../src/board/ui/model/task.js';
import { describeTiming, formatDuration, timing } from '../../../../src/board/ui/model/time.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const task = (fields: Record<string, unknown>) => parseTask({ id: 'x', ...fields })!;

describe('timing', () => {
  it('counts a running task against its deadline', () => {
    const t = timing(
      task({ status: 'in_progress', created_at: iso(-70_000), started_at: iso(-65_000), deadline: iso(535_000) }),
      NOW,
    );
    expect(t).toEqual({ phase: 'running', elapsedMs: 65_000, limitMs: 600_000, fraction: 65_000 / 600_000 });
    expect(describeTiming(t)).toBe('1m 05s of 10m 00s');
  });

  it('says how long a pending task has waited, without a fraction', () => {
    const t = timing(task({ status: 'pending', created_at: iso(-12_000) }), NOW);
    expect(t).toMatchObject({ phase: 'waiting', elapsedMs: 12_000, fraction: null });
    expect(describeTiming(t)).toBe('waiting 12s');
  });

  it('says how far past its deadline a task that has not ended yet is', () => {
    const t = timing(task({ status: 'in_progress', started_at: iso(-70_000), deadline: iso(-10_000) }), NOW);
    expect(t).toMatchObject({ phase: 'overdue', fraction: 1 });
    expect(describeTiming(t)).toBe('10s over 1m 00s');
  });

  it('stops the clock when a task ends', () => {
    const t = timing(
      task({ status: 'completed', started_at: iso(-100_000), finished_at: iso(-58_000), deadline: iso(500_000) }),
      NOW,
    );
    expect(t).toMatchObject({ phase: 'finished', elapsedMs: 42_000 });
    expect(describeTiming(t)).toBe('took 42s');
  });

  it('never shows negative time when the clocks disagree', () => {
    const t = timing(task({ status: 'in_progress', started_at: iso(5_000), deadline: iso(65_000) }), NOW);
    expect(t.elapsedMs).toBe(0);
    expect(t.fraction).toBe(0);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [59_999, '59s'],
    [60_000, '1m 00s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 00m'],
    [86_399_000, '23h 59m'],
    [90_000_000, '1d 1h'],
    [-5, '0s'],
  ])('%d ms reads "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
