import { describe, expect, it } from 'vitest';
import { CancelledError, ProviderError } from '../../src/errors.js';
import { RetryAfterError, withRetry, type RetryEvent } from '../../src/providers/retry.js';

const transient = () => new ProviderError('openai: HTTP 503: overloaded', { status: 503, retryable: true });
const policy = { retries: 3, baseDelayMs: 10, maxDelayMs: 25 };

/** A function that fails with the given errors in turn, then returns 'ok'. */
function failing(...errors: Error[]) {
  let calls = 0;
  const fn = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('withRetry', () => {
  it('returns the result when a transient error is followed by success', async () => {
    const op = failing(transient(), transient());
    await expect(withRetry(op.fn, policy)).resolves.toBe('ok');
    expect(op.calls()).toBe(3);
  });

  it('throws the last error as it is when the retries run out', async () => {
    const last = transient();
    const op = failing(transient(), transient(), transient(), last);
    await expect(withRetry(op.fn, policy)).rejects.toBe(last);
    expect(op.calls()).toBe(4);
  });

  it('does not retry when the ProviderError is not retryable or the error is not a ProviderError', async () => {
    const refused = failing(new ProviderError('openai: HTTP 401: bad key', { status: 401, retryable: false }));
    await expect(withRetry(refused.fn, policy)).rejects.toThrow('bad key');
    expect(refused.calls()).toBe(1);
    const bug = failing(new TypeError('undefined is not a function'));
    await expect(withRetry(bug.fn, policy)).rejects.toThrow(TypeError);
    expect(bug.calls()).toBe(1);
  });

  it('backs off exponentially with jitter and caps the wait at maxDelayMs', async () => {
    const events: RetryEvent[] = [];
    await withRetry(failing(transient(), transient(), transient()).fn, { ...policy, onRetry: (e) => events.push(e) });
    const [first, second, third] = events.map((e) => e.delayMs);
    expect(first).toBeGreaterThanOrEqual(5);
    expect(first).toBeLessThanOrEqual(10);
    expect(second).toBeGreaterThanOrEqual(10);
    expect(second).toBeLessThanOrEqual(20);
    expect(third).toBeGreaterThanOrEqual(12);
    expect(third).toBeLessThanOrEqual(25);
    expect(events.map((e) => e.attempt)).toEqual([1, 2, 3]);
  });

  it("waits the server's Retry-After, capped at maxDelayMs, when the error carries one", async () => {
    const events: RetryEvent[] = [];
    const op = failing(
      new RetryAfterError('anthropic: HTTP 429: slow down', { status: 429, retryAfterMs: 15 }),
      new RetryAfterError('anthropic: HTTP 429: slow down', { status: 429, retryAfterMs: 60_000 }),
    );
    await withRetry(op.fn, { ...policy, onRetry: (e) => events.push(e) });
    expect(events.map((e) => e.delayMs)).toEqual([15, 25]);
  });

  it('stops waiting at once with CancelledError when the signal aborts during a backoff', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = withRetry(failing(transient(), transient()).fn, {
      retries: 3,
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      signal: controller.signal,
      onRetry: () => setTimeout(() => controller.abort(), 10),
    });
    await expect(pending).rejects.toThrow(CancelledError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('does not call the function when the signal is already aborted', async () => {
    const op = failing();
    await expect(withRetry(op.fn, { ...policy, signal: AbortSignal.abort() })).rejects.toThrow(CancelledError);
    expect(op.calls()).toBe(0);
  });
});
