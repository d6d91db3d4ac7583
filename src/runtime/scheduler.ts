/**
 * At most `maxConcurrency` subagent runs at once; the rest wait in a queue ordered by priority, then age
 * (SPEC §8). A waiting run that is aborted leaves the queue. A run that waits for other runs (its children) gives
 * its slot back meanwhile (`whileWaiting`).
 */
import { CancelledError } from '../errors.js';
import { PRIORITY_RANK as RANK } from '../model/task.js';
import type { Priority } from '../model/task.js';

/** A run taking its slot back after waiting goes before every queued run, so that it can finish. */
const RESUMING = -1;

interface Waiter {
  rank: number;
  order: number;
  start: () => void;
}

export class Scheduler {
  private running = 0;
  private order = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly maxConcurrency: number) {}

  /** Runs currently holding a slot. */
  get active(): number {
    return this.running;
  }

  /** Runs waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Runs `fn` once a slot is free. `onQueued` is called when the run has to wait.
   * Rejects with `CancelledError` if `signal` aborts while waiting.
   */
  async run<T>(
    priority: Priority,
    fn: () => Promise<T>,
    options: { signal?: AbortSignal; onQueued?: () => void } = {},
  ): Promise<T> {
    await this.acquire(priority, options);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /**
   * Runs `fn`, in which the current run waits for other runs (a parent waiting for its children), with the run's
   * slot given back, and takes a slot again afterwards. Holding it would deadlock once waiting parents hold every
   * slot: their children queue behind them. Call it only from inside `run`'s `fn`.
   */
  async whileWaiting<T>(fn: () => Promise<T>): Promise<T> {
    this.release();
    try {
      return await fn();
    } finally {
      // Not abortable: `run` releases a slot when its `fn` ends, so the slot must be held again by then.
      await this.acquire(RESUMING, {});
    }
  }

  private acquire(
    priority: Priority | typeof RESUMING,
    { signal, onQueued }: { signal?: AbortSignal; onQueued?: () => void },
  ): Promise<void> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    if (this.running < this.maxConcurrency && this.queue.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        rank: priority === RESUMING ? RESUMING : RANK[priority],
        order: this.order++,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running++;
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Keep the queue sorted: insert after every waiter of the same or higher rank.
      let at = this.queue.length;
      while (at > 0 && (this.queue[at - 1] as Waiter).rank > waiter.rank) at--;
      this.queue.splice(at, 0, waiter);
      onQueued?.();
    });
  }

  private release(): void {
    this.running--;
    const next = this.queue.shift();
    next?.start();
  }
}
