/**
 * The usage records a task keeps (SPEC §5, issue 11): the neutral token counts of model calls, and a task's spend
 * (its calls' counts, their total and cost). Schemas only, no arithmetic: `usage/usage.ts` adds them up.
 */
import { z } from 'zod';

/** A token count a vendor reported, or null when it reported none. */
export const TokenCountSchema = z.number().int().nonnegative().nullable();

/** The tokens of one model call, or a total of several. See `usage/usage.ts` for what each count means. */
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

/**
 * What some model calls spent: their usage summed, `total_tokens` (input + output: what a token budget counts),
 * `cost_usd` at the configured prices (null when a call could not be priced), and how many calls there were. With
 * no calls every count is null: nothing was reported, and nothing is a made-up zero.
 */
export const SpendSchema = UsageSchema.extend({
  total_tokens: TokenCountSchema,
  cost_usd: z.number().nonnegative().nullable(),
  calls: z.number().int().nonnegative(),
});
export type Spend = z.infer<typeof SpendSchema>;

/** The spend of no model call at all. */
export const NO_SPEND: Readonly<Spend> = Object.freeze({
  ...UNKNOWN_USAGE,
  total_tokens: null,
  cost_usd: null,
  calls: 0,
});

/** The spend of one attempt of a run, on the model that answered (`provider:model`, as prices name it). */
export const AttemptSpendSchema = SpendSchema.extend({ attempt: z.number().int().positive(), model: z.string() });
export type AttemptSpend = z.infer<typeof AttemptSpendSchema>;
