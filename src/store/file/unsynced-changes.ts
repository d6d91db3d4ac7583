/**
 * Changes written to the journal without an fsync (`transact(…, {durable: false})`), held back from the change
 * feed until an fsync covers them, so that nobody hears of a change before it is durable. Changes of other
 * processes read meanwhile wait behind them: the feed stays in seq order.
 */
import type { Change } from '../task-store.js';
import type { ChangeFeed } from './change-feed.js';

export class UnsyncedChanges {
  private held: Change[] = [];

  constructor(private readonly feed: () => ChangeFeed) {}

  /** A batch written without a sync: what others wrote before it as `tell`, then its own changes wait. */
  written(remote: readonly Change[], local: readonly Change[]): void {
    this.tell(remote);
    this.held.push(...local);
  }

  /** Other processes' changes (durable already): at once, unless some of ours wait before them. */
  tell(changes: readonly Change[]): void {
    if (this.held.length > 0) this.held.push(...changes);
    else this.feed().publish(changes);
  }

  /** An fsync covered everything written so far: what waited goes out, then `after` (in that order). */
  synced(...after: ReadonlyArray<readonly Change[]>): void {
    this.feed().publish(this.held.splice(0));
    for (const changes of after) this.feed().publish(changes);
  }

  /** The store was reloaded from disk: what waited is gone or will be read again. */
  drop(): void {
    this.held = [];
  }
}
