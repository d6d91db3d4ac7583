import { describe, expect, it } from 'vitest';
import { addUsage, sumUsage, totalTokens, UNKNOWN_USAGE, UsageSchema, type Usage } from '../../src/usage/usage.js';

const call = (input: number | null, output: number | null, cacheRead: number | null = null): Usage => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_tokens: cacheRead,
  cache_write_tokens: null,
});

describe('addUsage', () => {
  it('adds field by field', () => {
    expect(addUsage(call(100, 20, 80), call(50, 5, 0))).toEqual(call(150, 25, 80));
  });

  it('counts what was reported: a field stays null only when neither side reported it', () => {
    expect(addUsage(call(100, 20), UNKNOWN_USAGE)).toEqual(call(100, 20));
    expect(addUsage(UNKNOWN_USAGE, call(null, 7))).toEqual(call(null, 7));
    expect(addUsage(UNKNOWN_USAGE, UNKNOWN_USAGE)).toEqual(UNKNOWN_USAGE);
  });

  it('changes neither operand', () => {
    const a = call(1, 1);
    addUsage(a, call(2, 2));
    expect(a).toEqual(call(1, 1));
    expect(Object.isFrozen(UNKNOWN_USAGE)).toBe(true);
  });
});

describe('sumUsage', () => {
  it('sums every call, and is unknown for none', () => {
    expect(sumUsage([call(200, 100), call(200, 100), call(200, 100)])).toEqual(call(600, 300));
    expect(sumUsage([])).toEqual(UNKNOWN_USAGE);
  });
});

describe('totalTokens', () => {
  it('is input (cached included) plus output, what a token budget counts', () => {
    expect(totalTokens(call(5000, 40, 4000))).toBe(5040);
    expect(totalTokens(call(null, 40))).toBe(40);
    expect(totalTokens(UNKNOWN_USAGE)).toBeNull();
  });
});

describe('UsageSchema', () => {
  it('accepts counts and nulls, and refuses negative, fractional or missing counts', () => {
    expect(UsageSchema.parse(call(1, null))).toEqual(call(1, null));
    expect(UsageSchema.safeParse(call(-1, 0)).success).toBe(false);
    expect(UsageSchema.safeParse(call(1.5, 0)).success).toBe(false);
    expect(UsageSchema.safeParse({ input_tokens: 1, output_tokens: 1 }).success).toBe(false);
  });
});
