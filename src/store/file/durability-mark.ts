/**
 * How far this process's own writes are on disk. A batch's changes are applied in memory before its fsync (readers
 * in this process see them meanwhile); the mark counts batches written and batches an fsync covered, so that
 * `whenDurable` can tell what is said to anyone to wait until everything it may have seen is durable
 * (`TaskStore.whenDurable`). One fsync covers every earlier write of the journal, and batches are written one at a
 * time, so an fsync covers every batch written before it was issued.
 */
export class DurabilityMark {
  private written = 0;
  private durable = 0;
  private waiters: Array<{ upTo: number; resolve(): void; reject(error: unknown): void }> = [];

  /** A batch's changes were applied (and are being written): returns its number, for `covered`. */
  wrote(): number {
    return ++this.written;
  }

  /** The number of the last batch written: an fsync issued now covers it. */
  get last(): number {
    return this.written;
  }

  /** Whether batches were written that no fsync has covered yet. */
  get behind(): boolean {
    return this.durable < this.written;
  }

  /** An fsync issued after batch `upTo` was written is done: that batch and every earlier one are durable. */
  covered(upTo: number): void {
    if (upTo <= this.durable) return;
    this.durable = upTo;
    const due = this.waiters.filter((w) => w.upTo <= upTo);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.upTo > upTo);
    for (const waiter of due) waiter.resolve();
  }

  /** A write failed and memory was read again from disk: what waited will never be durable; the rest is. */
  failed(error: unknown): void {
    this.durable = this.written;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** Null when every batch written is durable; else settles once the ones written so far are. */
  whenDurable(): Promise<void> | null {
    if (!this.behind) return null;
    const upTo = this.written;
    return new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
  }
}
