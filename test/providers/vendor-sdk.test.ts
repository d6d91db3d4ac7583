import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/providers/vendor-sdk.js';

describe('parseRetryAfter', () => {
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250', 'retry-after': '3' }, 250],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads %j as %s ms', (headers, expected) => {
    expect(parseRetryAfter(new Headers(headers))).toBe(expected);
  });

  it('reads an HTTP date as the time left until it', () => {
    const ms = parseRetryAfter(new Headers({ 'retry-after': new Date(Date.now() + 10_000).toUTCString() }));
    expect(ms).toBeGreaterThan(8_000);
    expect(ms).toBeLessThanOrEqual(10_000);
  });
});
