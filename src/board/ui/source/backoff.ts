/** Reconnect delays: doubling from a base (the server's SSE `retry:` when it sent one) up to a cap, with jitter. */

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0..1, so that many pages do not come back in step after a server restart. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 30_000, random: Math.random };

/** The wait before attempt `attempt` (0 = the first retry): base·2^attempt, capped, ±20 %. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  const jitter = 0.8 + 0.4 * options.random();
  return Math.round(Math.min(options.maxMs, raw * jitter));
}

/** Resolves after `ms`, or at once when `signal` aborts or `wake` fires (the browser came back online). */
export function pause(ms: number, signal: AbortSignal, wake?: EventTarget, wakeEvent = 'online'): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      wake?.removeEventListener(wakeEvent, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
    wake?.addEventListener(wakeEvent, done);
  });
}
