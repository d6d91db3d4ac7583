/**
 * The task store interface. The task service is its only user; `LowdbTaskStore` is the implementation.
 */
import type { InboxItem, Session, Task } from './records.js';

/** Records applied to the store, by this process (`local`) or read from another one (`remote`). */
export interface StoreChange {
  tasks: Task[];
  inbox: InboxItem[];
  origin: 'local' | 'remote';
}

/** A unit of change. Reads see the transaction's own writes; nothing is applied unless the function returns. */
export interface Transaction {
  getTask(id: string): Task | undefined;
  putTask(task: Task): void;
  addInbox(item: Omit<InboxItem, 'seq'>): InboxItem;
  getSession(id: string): Session | undefined;
  putSession(session: Session): void;
}

export interface TransactOptions {
  /**
   * `false`: resolve as soon as the change is applied (and on its way to disk), not after the fsync. For steps
   * inside a tool call that returns only after a later durable change: the file is written in order, so that
   * change's fsync covers this one too.
   */
  durable?: boolean;
}

/** Durable storage of tasks and inboxes, shared by every Baton process on the same file. */
export interface TaskStore {
  /** Number of stored tasks. */
  readonly size: number;
  /** The highest inbox sequence number so far: `inbox(r, seq, …)` returns only what comes later. */
  readonly seq: number;
  getTask(id: string): Task | undefined;
  getSession(id: string): Session | undefined;
  /** Every stored task, newest first. */
  newestFirst(): Iterable<Task>;
  /** Every stored task, in no particular order (no copy). */
  all(): Iterable<Task>;
  /** The direct children of a task. */
  childrenOf(id: string): Task[];
  /** The tasks that depend on a task. */
  dependentsOf(id: string): Task[];
  /** Inbox items of `recipient` with `seq > after`, oldest first. */
  inbox(recipient: string, after: number, limit: number): InboxItem[];
  /** The newest inbox item of `recipient` that matches, searching from the end. */
  lastInbox(recipient: string, match: (item: InboxItem) => boolean): InboxItem | undefined;
  /** Reads changes other processes made since the last look. */
  refresh(): Promise<void>;
  /**
   * Runs `fn` on fresh state under the store's cross-process lock and resolves once its records are on disk.
   * Transactions in flight at the same time share one write. If `fn` throws, nothing changes.
   */
  transact<T>(fn: (tx: Transaction) => T, options?: TransactOptions): Promise<T>;
  /** Listens to every applied change; returns the unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void;
  close(): Promise<void>;
}
