/**
 * A store that is still opening: every call waits for it to be open, then goes to it (issue 15: the server
 * answers `initialize` and `tools/list` while a large store loads). Once open, calls go straight through, with no
 * extra turn of the event loop. When opening fails, every call fails with that error (a `StoreError`: one line,
 * the store left untouched) and `close` has nothing to do.
 */
import type { InboxItem } from '../model/inbox.js';
import type { Session } from '../model/session.js';
import type { Claim, Task } from '../model/task.js';
import type { Change, TaskPage, TaskQuery, TaskStore, Transaction, TransactOptions } from './task-store.js';

export class OpeningStore implements TaskStore {
  /** The store once open. */
  private store: TaskStore | null = null;
  /** Settles when the store is open (or could not be). */
  readonly opened: Promise<TaskStore>;

  constructor(opening: Promise<TaskStore>) {
    this.opened = opening.then((store) => (this.store = store));
    this.opened.catch(() => undefined); // the caller hears of a failure through `opened`; calls get it too
  }

  /** Runs `fn` on the store, now if it is open, else once it is. */
  private use<T>(fn: (store: TaskStore) => Promise<T>): Promise<T> {
    return this.store ? fn(this.store) : this.opened.then(fn);
  }

  getTask(id: string): Promise<Task | undefined> {
    return this.use((s) => s.getTask(id));
  }

  getTasks(ids: readonly string[]): Promise<Task[]> {
    return this.use((s) => s.getTasks(ids));
  }

  findTasks(query: TaskQuery): Promise<TaskPage> {
    return this.use((s) => s.findTasks(query));
  }

  countTasks(query: TaskQuery): Promise<number> {
    return this.use((s) => s.countTasks(query));
  }

  inbox(recipient: string, after: number, limit: number): Promise<InboxItem[]> {
    return this.use((s) => s.inbox(recipient, after, limit));
  }

  getSession(id: string): Promise<Session | undefined> {
    return this.use((s) => s.getSession(id));
  }

  transact<T>(fn: (tx: Transaction) => Promise<T> | T, options?: TransactOptions): Promise<T> {
    return this.use((s) => s.transact(fn, options));
  }

  claim(taskId: string, runner: string, leaseMs: number): Promise<Claim | null> {
    return this.use((s) => s.claim(taskId, runner, leaseMs));
  }

  renew(claims: readonly Claim[], leaseMs: number): Promise<Claim[]> {
    return this.use((s) => s.renew(claims, leaseMs));
  }

  release(claim: Claim, options?: { refundAttempt?: boolean }): Promise<void> {
    return this.use((s) => s.release(claim, options));
  }

  /** Subscribes now if open, else once open (nothing is missed: delivery starts after `sinceSeq` either way). */
  subscribe(sinceSeq: number, listener: (change: Change) => void): () => void {
    if (this.store) return this.store.subscribe(sinceSeq, listener);
    let unsubscribe: (() => void) | null = null;
    let cancelled = false;
    void this.opened.then(
      (store) => {
        if (!cancelled) unsubscribe = store.subscribe(sinceSeq, listener);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }

  whenDurable(): Promise<void> | null {
    return this.store?.whenDurable?.() ?? null;
  }

  headSeq(): Promise<number> {
    return this.use((s) => s.headSeq());
  }

  /** Closes the store once open; nothing to close if it never opened. */
  async close(): Promise<void> {
    const store = await this.opened.catch(() => null);
    await store?.close();
  }
}
