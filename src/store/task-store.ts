/**
 * The task store: the one source of truth of tasks, inboxes and sessions, shared by every Baton process on it
 * (SPEC §9). It says what, not how: reads and queries, transactions, claims with leases, and an ordered change feed.
 * A backend is a folder (`file/`, later `postgres/`) that passes the contract suite in `test/store/`.
 *
 * Promises every backend keeps:
 * - acknowledged = durable: a `transact`, `claim`, `renew` or `release` resolves once its change is on disk (a
 *   `transact` with `durable: false` once written, and subscribers hear of it only once it is durable);
 * - a read reflects every change acknowledged, by any process, before the read began;
 * - every change gets the next store-wide sequence number (`seq`), and `subscribe` delivers each committed change
 *   of every process once, in seq order;
 * - store time decides lease expiry.
 */
import type { InboxItem, NewInboxItem } from '../model/inbox.js';
import type { Session } from '../model/session.js';
import type { Claim, Task, TaskStatus } from '../model/task.js';

export interface TaskStore {
  getTask(id: string): Promise<Task | undefined>;
  /** The tasks that exist among `ids`, in the order given. */
  getTasks(ids: readonly string[]): Promise<Task[]>;
  /** A page of the tasks that match, in the query's order. Throws `InputError` for a cursor it did not make. */
  findTasks(query: TaskQuery): Promise<TaskPage>;
  countTasks(query: TaskQuery): Promise<number>;
  /** Inbox items of `recipient` with `seq > after`, oldest first. */
  inbox(recipient: string, after: number, limit: number): Promise<InboxItem[]>;
  getSession(id: string): Promise<Session | undefined>;
  /**
   * Runs `fn` in one atomic transaction and resolves with its value once the change is durable. `fn` may be run
   * more than once (a backend may retry a conflict), so it acts only through `tx` and awaits nothing else. If it
   * throws, nothing changes. With `fence`, the transaction is refused with `LeaseLostError` (nothing changed)
   * unless that task's claim still has the fence's runner and epoch.
   */
  transact<T>(fn: (tx: Transaction) => Promise<T> | T, options?: TransactOptions): Promise<T>;
  /**
   * Compare-and-set: takes the claim of a task for `runner` when the task is `in_progress` and its claim is free,
   * expired (store time) or already this runner's; raises `lease_epoch`. Null when the task is not claimable or
   * another runner holds it.
   */
  claim(taskId: string, runner: string, leaseMs: number): Promise<Claim | null>;
  /**
   * Extends claims still held to now + `leaseMs` (one write for all). Returns the ones that are no longer held:
   * taken over, released, or their task ended. A renewal is not a change: nothing is delivered to subscribers.
   */
  renew(claims: readonly Claim[], leaseMs: number): Promise<Claim[]>;
  /**
   * Hands a claim back (nothing happens when it is no longer held). `refundAttempt` takes back the attempt of a run
   * stopped on purpose (a graceful shutdown), so that the next claimer runs it as if it had never started.
   */
  release(claim: Claim, options?: { refundAttempt?: boolean }): Promise<void>;
  /**
   * Every committed change with `seq > sinceSeq`, from every process: what is stored first (a task or session only
   * in its latest version), then live, each once and in seq order. Returns the unsubscribe function.
   */
  subscribe(sinceSeq: number, listener: (change: Change) => void): () => void;
  /** The highest seq committed so far: subscribe from it to hear only what comes next. */
  headSeq(): Promise<number>;
  /**
   * Null when every change this process has applied is durable; else a promise that settles once they are (and
   * rejects with the write's error if they never will be: memory was ahead of disk and was read again). What this
   * process says to anyone (an MCP answer) waits for it, so that readers may see a change while its fsync runs and
   * nobody hears of one before it is on disk (`mcp/durable-answers.ts`). A store whose changes are durable when
   * applied (PostgreSQL) has no such wait and leaves this out.
   */
  whenDurable?(): Promise<void> | null;
  /** Waits for writes in flight, then lets go of every resource. Later calls fail with `StoreError`. */
  close(): Promise<void>;
}

export interface TransactOptions {
  fence?: Claim;
  /**
   * `false`: resolve once the transaction has run and is written, before it is durable; it becomes durable with
   * the next durable write of this process, or soon after (the file store: before it lets go of the lock), and
   * subscribers hear of it only then. For a change nobody is told of before a later durable write (a plain
   * dispatch's creation, whose caller hears of it in the result), so that both share one fsync. A backend may make
   * it durable at once. Default true.
   */
  durable?: boolean;
  /**
   * Called once the transaction is applied and written, before it is durable: the file store calls it while its
   * fsync runs, so that a caller whose answer waits for `whenDurable` can prepare that answer meanwhile. A store
   * with no such moment never calls it; the transaction's promise still settles only once the change is durable.
   */
  onWritten?: () => void;
}

/** A unit of change. Reads see the transaction's own writes; nothing is applied unless `fn` returns. */
export interface Transaction {
  getTask(id: string): Promise<Task | undefined>;
  /** The direct children of a task (`parent_task_id = id`). */
  children(id: string): Promise<Task[]>;
  /** The tasks that name `id` in their `depends_on`. */
  dependants(id: string): Promise<Task[]>;
  /** Inserts or replaces a task. Its `seq` and `created_seq` are the store's to assign. */
  putTask(task: Task): void;
  addInbox(item: NewInboxItem): InboxItem;
  getSession(id: string): Promise<Session | undefined>;
  /** Inserts or replaces a session; its `seq` is the store's to assign. */
  putSession(session: Session): void;
  /**
   * Store time when this transaction began: what decides an expiry inside it (a deadline passed), so that on a
   * shared store the database's clock decides, not each machine's.
   */
  storeTime(): Date;
  /** `TaskStore.claim` within this transaction (a task created in it can be claimed in the same write). */
  claim(taskId: string, runner: string, leaseMs: number): Promise<Claim | null>;
}

/** What `findTasks` and `countTasks` select. Every field narrows; an empty query selects every task. */
export interface TaskQuery {
  /** The agent is the delegator or the assignee (with `role`: exactly that side). */
  party?: string;
  role?: 'delegated_by' | 'assigned_to';
  status?: readonly TaskStatus[];
  /** Not terminal. */
  live?: boolean;
  group?: string;
  parent?: string;
  root?: string;
  /** Tasks that name this task in their `depends_on`. */
  dependsOn?: string;
  assignees?: readonly string[];
  /** `in_progress` with no claim or an expired one (store time): work a runner may take. */
  claimable?: boolean;
  idPrefix?: string;
  /** `newest` (default) and `oldest` by creation; `runnable`: priority, then age. */
  order?: TaskOrder;
  /** Default 50. */
  limit?: number;
  /** A `next_cursor` of the same query: a position in its order, never a task id. */
  cursor?: string | null;
}
export type TaskOrder = 'newest' | 'oldest' | 'runnable';

export interface TaskPage {
  tasks: Task[];
  next_cursor: string | null;
}

/** One committed change, in seq order. */
export type Change =
  | { seq: number; kind: 'task'; task: Task }
  | { seq: number; kind: 'inbox'; item: InboxItem }
  | { seq: number; kind: 'session'; session: Session };

/** How to open a store (every backend takes these). */
export interface StoreOpenOptions {
  /** No writes and no repairs (`baton tasks`, `baton task`). */
  readOnly?: boolean;
  /** Ended tasks, sessions and inbox items older than this are pruned. Default 30 days. */
  retentionMs?: number;
}
