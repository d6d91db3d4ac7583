/**
 * Token usage of model calls, in one neutral shape whatever the vendor, so that totals mean the same thing on
 * Anthropic, OpenAI (or a compatible server) and sampling. Pure: no I/O.
 *
 * The definition (SPEC §5, issue 11):
 * - `input_tokens`: every token of the prompt the model read, cached or not. OpenAI's `prompt_tokens` already
 *   counts this way; Anthropic's `input_tokens` excludes cache reads and writes, so its mapper adds them back.
 * - `cache_read_tokens`, `cache_write_tokens`: the parts of `input_tokens` read from / written to the vendor's
 *   prompt cache. They are never added on top of `input_tokens`.
 * - `output_tokens`: every token the model produced, reasoning included (both vendors count it so).
 * - `null`: the vendor or client did not say. Never a made-up zero: a sampling client that reports nothing gives
 *   four nulls.
 *
 * So `input_tokens + output_tokens` is what a call spent in tokens on any vendor, and the cache counts only say
 * how much of the input was billed at a cache rate (see `prices.ts`).
 */
import { UNKNOWN_USAGE } from '../model/usage.js';
import type { Spend, Usage } from '../model/usage.js';
import { addCost } from './prices.js';

// The records are the model's (a task keeps its spend); the arithmetic is here.
export { NO_SPEND, TokenCountSchema, UNKNOWN_USAGE, UsageSchema } from '../model/usage.js';
export type { Spend, Usage } from '../model/usage.js';

const FIELDS = Object.keys(UNKNOWN_USAGE) as (keyof Usage)[];

/**
 * The sum of two usages, field by field. A total counts what was reported: a field is null only when neither
 * side reported it, so a total over calls of which some reported nothing is a lower bound of what they spent.
 */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum = { ...UNKNOWN_USAGE };
  for (const field of FIELDS) {
    const x = a[field];
    const y = b[field];
    sum[field] = x === null ? y : y === null ? x : x + y;
  }
  return sum;
}

/** The sum of any number of usages; `UNKNOWN_USAGE` for none. */
export function sumUsage(usages: Iterable<Usage>): Usage {
  let total: Usage = { ...UNKNOWN_USAGE };
  for (const usage of usages) total = addUsage(total, usage);
  return total;
}

/**
 * Tokens spent: input (cached included) plus output, what a token budget counts. Null when neither is known.
 */
export function totalTokens(usage: Usage): number | null {
  const { input_tokens: input, output_tokens: output } = usage;
  if (input === null && output === null) return null;
  return (input ?? 0) + (output ?? 0);
}

/** The spend of one call: its usage, its total tokens and its cost (null: unknown). */
export function spendOf(usage: Usage, cost: number | null): Spend {
  return { ...usage, total_tokens: totalTokens(usage), cost_usd: cost, calls: 1 };
}

/**
 * The sum of two spends. No calls on one side is no change; otherwise the counts add as `addUsage` does and the
 * cost is null as soon as one side's is (a total never hides a call that could not be priced).
 */
export function addSpend(a: Spend, b: Spend): Spend {
  if (b.calls === 0) return a;
  if (a.calls === 0) return b;
  const usage = addUsage(a, b);
  return {
    ...usage,
    total_tokens: totalTokens(usage),
    cost_usd: addCost(a.cost_usd, b.cost_usd),
    calls: a.calls + b.calls,
  };
}
