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
import { z } from 'zod';

/** A token count a vendor reported, or null when it reported none. */
export const TokenCountSchema = z.number().int().nonnegative().nullable();

/** The tokens of one model call, or a total of several (see `addUsage`). */
export const UsageSchema = z.object({
  /** Every prompt token the model read, the cached ones included. */
  input_tokens: TokenCountSchema,
  /** Every token the model produced. */
  output_tokens: TokenCountSchema,
  /** Of `input_tokens`, those read from the prompt cache. */
  cache_read_tokens: TokenCountSchema,
  /** Of `input_tokens`, those written to the prompt cache. */
  cache_write_tokens: TokenCountSchema,
});
export type Usage = z.infer<typeof UsageSchema>;

/** A call whose vendor or client reported no usage. */
export const UNKNOWN_USAGE: Readonly<Usage> = Object.freeze({
  input_tokens: null,
  output_tokens: null,
  cache_read_tokens: null,
  cache_write_tokens: null,
});

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
