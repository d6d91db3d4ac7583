import { describe, expect, it } from 'vitest';
import { parseUsage } from '../../../../src/board/ui/model/task.js';
import { formatCost, formatTokens, sumUsage, usageSummary } from '../../../../src/board/ui/model/usage.js';

describe('usage formatting', () => {
  it.each([
    [null, '—'],
    [950, '950'],
    [1_234, '1.23k'],
    [12_400, '12.4k'],
    [999_949, '999.9k'],
    [1_250_000, '1.25M'],
  ])('tokens %s read "%s"', (count, text) => {
    expect(formatTokens(count)).toBe(text);
  });

  it.each([
    [null, '—'],
    [0, '$0'],
    [0.0004, '<$0.01'],
    [0.031, '$0.03'],
    [123.4, '$123'],
  ])('cost %s reads "%s"', (usd, text) => {
    expect(formatCost(usd)).toBe(text);
  });

  it('summarises a row: tokens and cost, tokens alone when the price is unknown, nothing when nothing is known', () => {
    expect(usageSummary(parseUsage({ total_tokens: 12_400, cost_usd: 0.031 }))).toBe('12.4k tokens · $0.03');
    expect(usageSummary(parseUsage({ total_tokens: 12_400, cost_usd: null }))).toBe('12.4k tokens');
    expect(usageSummary(null)).toBeNull();
  });
});

describe('sumUsage', () => {
  it('adds tokens and costs', () => {
    const sum = sumUsage([
      parseUsage({ total_tokens: 100, cost_usd: 0.5 }),
      null,
      parseUsage({ total_tokens: 50, cost_usd: 0.25 }),
    ]);
    expect(sum).toMatchObject({ totalTokens: 150, costUsd: 0.75 });
  });

  it('gives no cost when a part with tokens has an unknown price: a partial sum would read as the whole', () => {
    const sum = sumUsage([
      parseUsage({ total_tokens: 100, cost_usd: 0.5 }),
      parseUsage({ total_tokens: 50, cost_usd: null }),
    ]);
    expect(sum).toMatchObject({ totalTokens: 150, costUsd: null });
  });

  it('is null when no tree has usage yet', () => {
    expect(sumUsage([null, null])).toBeNull();
  });
});
