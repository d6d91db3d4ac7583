/** Tokens and cost where known (SPEC §5, §12): the fields arrive with issue 11, so every one may be missing. */
import type { Usage } from './task.js';

/** 950 → "950", 12_400 → "12.4k", 1_250_000 → "1.25M". */
export function formatTokens(count: number | null): string {
  if (count === null) return '—';
  if (count < 1000) return String(Math.round(count));
  if (count < 1_000_000) return `${trim(count / 1000, count < 10_000 ? 2 : 1)}k`;
  return `${trim(count / 1_000_000, 2)}M`;
}

/** null → "—" (price unknown), 0.0004 → "<$0.01", 0.031 → "$0.03", 123.4 → "$123". */
export function formatCost(usd: number | null): string {
  if (usd === null) return '—';
  if (usd === 0) return '$0';
  if (usd < 0.01) return '<$0.01';
  if (usd < 100) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd)}`;
}

const trim = (value: number, digits: number): string => String(Number(value.toFixed(digits)));

/** The short form for a row: "12.4k tokens · $0.03", or null when nothing is known. */
export function usageSummary(usage: Usage | null): string | null {
  if (!usage || usage.totalTokens === null) return usage && usage.costUsd !== null ? formatCost(usage.costUsd) : null;
  const tokens = `${formatTokens(usage.totalTokens)} tokens`;
  return usage.costUsd === null ? tokens : `${tokens} · ${formatCost(usage.costUsd)}`;
}

/**
 * The sum of several trees' usage (the header's total); null when none is known. The cost is summed only while
 * every part with tokens has a known cost: a partial sum would read as the whole.
 */
export function sumUsage(usages: Iterable<Usage | null>): Usage | null {
  const tokenKeys = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'totalTokens'] as const;
  let sum: Usage | null = null;
  let costKnown = true;
  for (const usage of usages) {
    if (!usage) continue;
    sum ??= { ...usage, costUsd: null, ...Object.fromEntries(tokenKeys.map((key) => [key, null])) };
    for (const key of tokenKeys) {
      const value = usage[key];
      if (value !== null) sum[key] = (sum[key] ?? 0) + value;
    }
    if (usage.costUsd !== null) sum.costUsd = (sum.costUsd ?? 0) + usage.costUsd;
    else if (usage.totalTokens) costKnown = false;
  }
  if (sum && !costKnown) sum.costUsd = null;
  return sum;
}
