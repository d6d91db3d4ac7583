/**
 * The change feed of one process on a store file: every change it applies (its own, and other processes' read from
 * the journal) goes to every subscriber once, in seq order. A new subscriber first gets what is stored after its
 * `since`: from a ring of recent changes when that reaches back far enough, else from a scan of the stored records.
 */
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Change } from '../task-store.js';

/** Changes kept for replays: between this many and twice as many. */
const RING = 10_000;

interface Subscriber {
  listener: (change: Change) => void;
  /** The seq of the last change delivered. */
  cursor: number;
  /** Changes waiting for the first delivery (the replay, then whatever came meanwhile), or null once it ran. */
  backlog: Change[] | null;
}

export class ChangeFeed {
  private ring: Change[] = [];
  /** The ring holds every change this process applied with a seq above this. */
  private coveredAfter: number;
  private readonly subscribers = new Set<Subscriber>();

  /**
   * @param headSeq the store's head when the feed starts: earlier changes come from `scan`
   * @param scan the stored records with seq > since, in seq order
   */
  constructor(
    headSeq: number,
    private readonly scan: (since: number) => Change[],
    private readonly log: Logger,
  ) {
    this.coveredAfter = headSeq;
  }

  /** Delivers changes (in seq order) to every subscriber. */
  publish(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    for (const change of changes) this.ring.push(change);
    // Trimmed in chunks, so that a full ring does not move all its entries at every change.
    if (this.ring.length > 2 * RING) {
      const dropped = this.ring.splice(0, this.ring.length - RING);
      this.coveredAfter = (dropped[dropped.length - 1] as Change).seq;
    }
    for (const sub of this.subscribers) {
      if (sub.backlog) for (const change of changes) sub.backlog.push(change);
      else for (const change of changes) this.deliver(sub, change);
    }
  }

  subscribe(since: number, listener: (change: Change) => void): () => void {
    const replay = since >= this.coveredAfter ? this.ring.filter((c) => c.seq > since) : this.scan(since);
    const sub: Subscriber = { listener, cursor: since, backlog: replay };
    this.subscribers.add(sub);
    // Delivered after subscribe returns, so that a listener never runs before its caller has the unsubscribe.
    queueMicrotask(() => {
      const backlog = sub.backlog ?? [];
      sub.backlog = null;
      for (const change of backlog) this.deliver(sub, change);
    });
    return () => {
      this.subscribers.delete(sub);
      sub.backlog = null;
    };
  }

  /** Forgets the ring (the store was reloaded): replays older than `headSeq` come from a scan. */
  reset(headSeq: number): void {
    this.ring = [];
    this.coveredAfter = headSeq;
  }

  private deliver(sub: Subscriber, change: Change): void {
    if (!this.subscribers.has(sub) || change.seq <= sub.cursor) return;
    sub.cursor = change.seq;
    try {
      sub.listener(change);
    } catch (error) {
      this.log.error('store change listener failed', { error: errorMessage(error) });
    }
  }
}
