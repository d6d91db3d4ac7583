import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { installedAnthropicCatalog, newestOfFamily } from '../../src/providers/anthropic-models.js';
import { MODEL_FAMILIES } from '../../src/providers/model-spec.js';
import { addCost, costOf, DEFAULT_PRICES, parsePrices, priceOf, PRICES_AS_OF } from '../../src/usage/prices.js';
import { UNKNOWN_USAGE, type Usage } from '../../src/usage/usage.js';

const usage = (input: number, output: number, cacheRead: number | null = 0, cacheWrite: number | null = 0): Usage => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_tokens: cacheRead,
  cache_write_tokens: cacheWrite,
});

const prices = parsePrices(
  {
    'anthropic:claude-test': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    'openai:gpt-test': { input: 2, output: 8 },
    'anthropic:claude-tiered': {
      input: 0.1,
      output: 0.5,
      cacheWrite: 0.125,
      longPrompt: { aboveTokens: 100_000, input: 0.5, output: 2.5, cacheWrite: 0.625 },
    },
  },
  'test',
  {},
);

describe('costOf', () => {
  it('prices fresh input, output, cache reads and cache writes at their own rates', () => {
    // 1M input of which 600k cache reads and 100k cache writes: 300k fresh.
    const cost = costOf(usage(1_000_000, 100_000, 600_000, 100_000), 'anthropic:claude-test', prices);
    expect(cost).toBe(0.3 * 3 + 0.1 * 15 + 0.6 * 0.3 + 0.1 * 3.75);
  });

  it('reads like the prices, without float noise', () => {
    expect(costOf(usage(1000, 0), 'anthropic:claude-test', prices)).toBe(0.003);
  });

  it('prices the whole input at the input rate when the cache counts are not reported', () => {
    expect(costOf(usage(1_000_000, 0, null, null), 'openai:gpt-test', prices)).toBe(2);
  });

  it('is null, never a made-up number, when the model has no price', () => {
    expect(costOf(usage(10, 10), 'anthropic:claude-unpriced', prices)).toBeNull();
    expect(costOf(usage(10, 10), 'openai:claude-test', prices)).toBeNull();
  });

  it('is null when the usage lacks its input or output count', () => {
    expect(costOf(UNKNOWN_USAGE, 'anthropic:claude-test', prices)).toBeNull();
    expect(costOf({ ...usage(10, 0), output_tokens: null }, 'anthropic:claude-test', prices)).toBeNull();
  });

  it('is null when the call used the cache and that rate is unknown, and priced when it did not', () => {
    expect(costOf(usage(1000, 10, 500), 'openai:gpt-test', prices)).toBeNull();
    expect(costOf(usage(1000, 10, 0, 300), 'openai:gpt-test', prices)).toBeNull();
    expect(costOf(usage(1000, 10, 0, 0), 'openai:gpt-test', prices)).toBe(0.00208);
  });

  it('is null when the cache counts exceed the input (a usage that does not add up)', () => {
    expect(costOf(usage(100, 10, 200), 'anthropic:claude-test', prices)).toBeNull();
  });

  it('prices a call over the long-prompt threshold at the long-prompt rates, every token of it', () => {
    expect(costOf(usage(100_000, 1_000_000), 'anthropic:claude-tiered', prices)).toBe(0.01 + 0.5);
    expect(costOf(usage(100_001, 1_000_000), 'anthropic:claude-tiered', prices)).toBe(0.0500005 + 2.5);
    // The prompt counts its cache writes: 60k fresh + 50k written is over 100k.
    expect(costOf(usage(110_000, 0, 0, 50_000), 'anthropic:claude-tiered', prices)).toBe(0.03 + 0.03125);
  });

  it('finds the price by provider:model in any case, and an Anthropic dated snapshot by its model', () => {
    expect(costOf(usage(1000, 0), 'Anthropic:Claude-Test', prices)).toBe(0.003);
    expect(costOf(usage(1000, 0), 'anthropic:claude-test-20260101', prices)).toBe(0.003);
    // OpenAI snapshots can have prices of their own: not folded.
    expect(priceOf(prices, 'openai:gpt-test-2026-01-01')).toBeUndefined();
    expect(priceOf(prices, 'openai:gpt-test-20260101')).toBeUndefined();
  });

  it('never finds a price on Object.prototype', () => {
    expect(priceOf(prices, 'constructor')).toBeUndefined();
    expect(costOf(usage(1, 1), '__proto__', prices)).toBeNull();
  });
});

describe('addCost', () => {
  it('adds costs, and is null when either is unknown', () => {
    expect(addCost(0.1, 0.2)).toBe(0.3);
    expect(addCost(0.1, null)).toBeNull();
    expect(addCost(null, 0)).toBeNull();
  });
});

describe('DEFAULT_PRICES', () => {
  it('prices every model the built-in aliases resolve to with the installed SDK', () => {
    // An SDK upgrade that moves an alias to a new model fails here: add the vendor's published price (dated in
    // PRICES_AS_OF and the README), or, when none is published, list the model here as knowingly unpriced.
    const catalog = installedAnthropicCatalog();
    for (const family of MODEL_FAMILIES) {
      const model = newestOfFamily(catalog, family);
      expect(model, family).toBeDefined();
      expect(priceOf(DEFAULT_PRICES, `anthropic:${model}`), `${family} → ${model}`).toBeDefined();
    }
  });

  it("ships Anthropic's published rates for the alias targets, dated", () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(costOf(usage(1_000_000, 1_000_000), 'anthropic:claude-sonnet-5-5', DEFAULT_PRICES)).toBe(12);
    expect(costOf(usage(1_000_000, 1_000_000), 'anthropic:claude-opus-5-5', DEFAULT_PRICES)).toBe(24);
    expect(costOf(usage(1_000_000, 1_000_000), 'anthropic:claude-fable-5-2', DEFAULT_PRICES)).toBe(48);
    expect(costOf(usage(50_000, 1_000_000), 'anthropic:claude-haiku-5-5', DEFAULT_PRICES)).toBe(0.005 + 0.5);
    expect(costOf(usage(200_000, 1_000_000), 'anthropic:claude-haiku-5-5', DEFAULT_PRICES)).toBe(0.1 + 2.5);
    // A rate not read from the vendor's own page is left out: a cache read there has no cost.
    expect(costOf(usage(1000, 10, 500), 'anthropic:claude-sonnet-5-5', DEFAULT_PRICES)).toBeNull();
  });

  it('is frozen, so a config merge never changes the shipped table', () => {
    const merged = parsePrices({ 'anthropic:claude-opus-5-5': { input: 1, output: 1 } }, 'test');
    expect(merged['anthropic:claude-opus-5-5']).toEqual({ input: 1, output: 1 });
    expect(DEFAULT_PRICES['anthropic:claude-opus-5-5']?.input).toBe(4);
    expect(Object.isFrozen(DEFAULT_PRICES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_PRICES['anthropic:claude-opus-5-5'])).toBe(true);
  });
});

describe('the README', () => {
  it('dates the shipped prices as the code does', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`Anthropic's published prices (as of ${PRICES_AS_OF})`);
  });
});
