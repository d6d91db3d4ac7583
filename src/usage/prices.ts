/**
 * What model calls cost: a price table per model (`prices` in baton.config.json, merged over the shipped
 * defaults below) and `costOf`, which prices one call's usage. Pure: no I/O. A cost is never made up: when a
 * price the call needs is not in the table, the cost is null.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { ProviderName } from '../providers/types.js';
import type { Usage } from '../model/usage.js';

/** The providers a price key may name; a table, so the compiler sees a provider added to `ProviderName`. */
const PROVIDERS: Record<ProviderName, true> = { anthropic: true, openai: true, sampling: true };

const PRICE = 'expected a price in USD per million tokens, a number ≥ 0';
const usd = z.number({ error: PRICE }).finite({ error: PRICE }).nonnegative({ error: PRICE });

/** USD per million tokens of each kind. A cache price left out is unknown: a call that used the cache has no cost. */
const RATES = {
  /** Input tokens read fresh (not from the cache). */
  input: usd,
  output: usd,
  /** Input tokens read from the prompt cache. */
  cacheRead: usd.optional(),
  /** Input tokens written to the prompt cache (Anthropic: the default 5-minute cache). */
  cacheWrite: usd.optional(),
};
const TOKENS = 'expected a whole number of prompt tokens > 0';
const ENTRY = 'expected {input, output, cacheRead?, cacheWrite?, longPrompt?} in USD per million tokens';

/** The price of one model. `longPrompt`: other rates for a call whose prompt is over `aboveTokens` (Haiku 5.5). */
export const ModelPriceSchema = z.strictObject(
  {
    ...RATES,
    longPrompt: z
      .strictObject(
        { ...RATES, aboveTokens: z.number({ error: TOKENS }).int({ error: TOKENS }).positive({ error: TOKENS }) },
        { error: 'expected {aboveTokens, input, output, cacheRead?, cacheWrite?}' },
      )
      .optional(),
  },
  { error: ENTRY },
);
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

/** A price key: `provider:model`, as the model that answered is named (no alias: `anthropic:sonnet` names none). */
const PriceKeySchema = z
  .string()
  .trim()
  .refine(
    (key) => {
      const colon = key.indexOf(':');
      return colon > 0 && Object.hasOwn(PROVIDERS, key.slice(0, colon).toLowerCase()) && key.length > colon + 1;
    },
    { error: `expected provider:model as the key, with provider one of ${Object.keys(PROVIDERS).join(', ')}` },
  );

/** The price table: `provider:model` (lower case) → its price. */
export const PricesSchema = z.record(PriceKeySchema, ModelPriceSchema);
export type Prices = z.infer<typeof PricesSchema>;

/** The day the shipped prices were checked against the vendor's published prices (shown in the README). */
export const PRICES_AS_OF = '2026-12-01';

const FIVE_TO_TWENTY_FIVE: ModelPrice = { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 };
const FABLE_5_1: ModelPrice = { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 0.25 };
const FABLE_5: ModelPrice = { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 };

/**
 * Anthropic's published prices (platform.claude.com: the pricing page and each model's page) for the models the
 * aliases resolve to with the installed SDK (sonnet, opus, haiku, fable) and the other listed ones whose prices
 * were published. A rate that could not be read from the vendor's own page is left out rather than guessed:
 * Sonnet 5.5's cache reads (reported cut from $0.20 on 2026-10-07), Haiku 5.5's cache reads, and Fable 5.2's
 * and Haiku 4.5's cache reads and writes. Models with no published price found (claude-mythos-5-2,
 * claude-sonnet-4-6, claude-sonnet-4-5, claude-mythos-preview) have no entry; OpenAI models neither (no alias
 * resolves to one). Cache writes are priced at the 5-minute rate, the default (Baton never asks for the 1-hour
 * cache).
 */
export const DEFAULT_PRICES: Readonly<Prices> = deepFreeze({
  'anthropic:claude-fable-5-2': { input: 8, output: 40 },
  'anthropic:claude-opus-5-5': { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  'anthropic:claude-sonnet-5-5': { input: 2, output: 10, cacheWrite: 2.5 },
  'anthropic:claude-haiku-5-5': {
    input: 0.1,
    output: 0.5,
    cacheWrite: 0.125,
    longPrompt: { aboveTokens: 100_000, input: 0.5, output: 2.5, cacheWrite: 0.625 },
  },
  'anthropic:claude-fable-5-1': FABLE_5_1,
  'anthropic:claude-mythos-5-1': FABLE_5_1,
  'anthropic:claude-fable-5': FABLE_5,
  'anthropic:claude-mythos-5': FABLE_5,
  'anthropic:claude-opus-5': FIVE_TO_TWENTY_FIVE,
  'anthropic:claude-opus-4-8': FIVE_TO_TWENTY_FIVE,
  'anthropic:claude-opus-4-7': FIVE_TO_TWENTY_FIVE,
  'anthropic:claude-opus-4-6': FIVE_TO_TWENTY_FIVE,
  'anthropic:claude-opus-4-5': FIVE_TO_TWENTY_FIVE,
  'anthropic:claude-sonnet-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5 },
});

/**
 * Validates `prices` of the config file and lays it over `defaults`: an entry replaces the default entry of the
 * same model whole (never field by field, which could mix two price lists). Throws `ConfigError` naming the
 * entry and the field.
 */
export function parsePrices(raw: unknown, source: string, defaults: Readonly<Prices> = DEFAULT_PRICES): Prices {
  const parsed = PricesSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`invalid ${source}: ${describe(parsed.error, raw)}`);
  const prices: Prices = { ...defaults };
  for (const [key, price] of Object.entries(parsed.data)) prices[key.toLowerCase()] = price;
  return prices;
}

/**
 * The price of `model` (`provider:model`, e.g. the provider that ran a call and the model its response named), or
 * undefined. Anthropic's dated snapshots cost what their model costs (`claude-opus-4-5-20251101` is priced as
 * `claude-opus-4-5`); OpenAI's are not folded, as a snapshot there can have its own price.
 */
export function priceOf(prices: Readonly<Prices>, model: string): ModelPrice | undefined {
  const key = model.trim().toLowerCase();
  if (Object.hasOwn(prices, key)) return prices[key];
  const undated = key.startsWith('anthropic:') ? key.replace(/-\d{8}$/, '') : key;
  return undated !== key && Object.hasOwn(prices, undated) ? prices[undated] : undefined;
}

/**
 * The cost in USD of one model call, or null when it cannot be known: the model has no price, the usage lacks
 * its input or output count, or the call read or wrote the cache and that rate is unknown. A cache count that is
 * null (not reported) is taken as no caching: the whole input at the input rate, as a vendor that reports no
 * cache bills it. Price each call, then add the costs (`addCost`): a prompt-length tier needs the call's own
 * prompt, so a sum of usages cannot be priced.
 */
export function costOf(usage: Usage, model: string, prices: Readonly<Prices>): number | null {
  const price = priceOf(prices, model);
  const { input_tokens: input, output_tokens: output } = usage;
  if (!price || input === null || output === null) return null;
  const cacheRead = usage.cache_read_tokens ?? 0;
  const cacheWrite = usage.cache_write_tokens ?? 0;
  const fresh = input - cacheRead - cacheWrite;
  if (fresh < 0) return null; // cache counts larger than the input: a usage that does not add up has no cost
  const rates = price.longPrompt && input > price.longPrompt.aboveTokens ? price.longPrompt : price;
  if (cacheRead > 0 && rates.cacheRead === undefined) return null;
  if (cacheWrite > 0 && rates.cacheWrite === undefined) return null;
  const microDollars =
    fresh * rates.input +
    output * rates.output +
    cacheRead * (rates.cacheRead ?? 0) +
    cacheWrite * (rates.cacheWrite ?? 0);
  return round(microDollars / 1_000_000);
}

/** The sum of two costs; null when either is unknown, so a total never hides a call that could not be priced. */
export function addCost(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : round(a + b);
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  return Object.freeze(value);
}

/** To 1e-10 USD, so sums of float products read as the prices do (0.003, not 0.0030000000000000005). */
function round(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

function describe(error: z.ZodError, raw: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  if (issue.path.length === 0) return 'expected an object of "provider:model": {input, output, …} entries';
  const [key, ...rest] = issue.path.map(String);
  const entry = `"${key}"`;
  if (issue.code === 'invalid_key') return `${entry}: ${issue.issues[0]?.message ?? issue.message}`;
  if (issue.code === 'unrecognized_keys') {
    const where = rest.length > 0 ? `${entry}.${rest.join('.')}` : entry;
    const known =
      rest.length > 0
        ? 'input, output, cacheRead, cacheWrite, aboveTokens'
        : 'input, output, cacheRead, cacheWrite, longPrompt';
    return `${where}: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; known: ${known}`;
  }
  const value = issue.path.reduce<unknown>(
    (node, part) =>
      typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[part] : undefined,
    raw,
  );
  const field = rest.length > 0 ? `${entry}.${rest.join('.')}` : entry;
  const got = value === undefined ? 'missing' : `got ${JSON.stringify(value)}`;
  return `${field}: ${issue.message} (${got})`;
}
