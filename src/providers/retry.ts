/** Retries with exponential backoff and jitter for transient provider faults (spec §8: 429, 5xx, network). */
import { CancelledError, ProviderError } from '../errors.js';

/** How `withRetry` backs off. `retries` counts the attempts after the first. */
export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What `onRetry` hears before each wait. `attempt` is the attempt that just failed (1-based). */
export interface RetryEvent {
  attempt: number;
  delayMs: number;
  error: ProviderError;
}

/** Options of `withRetry`: a policy, the signal that cancels waiting, and a hook for logging. */
export interface RetryOptions extends RetryPolicy {
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
}

/** Three retries starting at half a second, never waiting more than 30 s at once. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/** A retryable `ProviderError` whose server said how long to wait (`Retry-After`). */
export class RetryAfterError extends ProviderError {
  readonly retryAfterMs: number;
  constructor(message: string, options: { status?: number; retryAfterMs: number; cause?: unknown }) {
    super(message, { status: options.status, retryable: true, cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The `CancelledError` for an aborted signal; its cause is the abort reason. */
export function cancelledBy(signal: AbortSignal): CancelledError {
  return new CancelledError('model request cancelled', { cause: signal.reason });
}

/**
 * Runs `fn`, retrying only `ProviderError`s with `retryable: true`. Waits grow as base·2^(attempt−1) with jitter,
 * capped by `maxDelayMs`; a `RetryAfterError`'s delay wins (also capped). Aborting `signal` ends a wait at once
 * with `CancelledError`. When retries run out, the last error is thrown as it is.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw cancelledBy(signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      if (signal?.aborted) throw cancelledBy(signal);
      if (!(error instanceof ProviderError) || !error.retryable || attempt > options.retries) throw error;
      const delayMs = backoffMs(attempt, error, options);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}

function backoffMs(attempt: number, error: ProviderError, policy: RetryPolicy): number {
  if (error instanceof RetryAfterError) return Math.min(error.retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": at least half the ceiling, so concurrent subagents spread out without retrying at once.
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!signal) return void setTimeout(resolve, ms);
    if (signal.aborted) return reject(cancelledBy(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledBy(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
