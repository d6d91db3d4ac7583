/**
 * The task store on one lowdb JSON file plus its journal (SPEC §9, the embedded default).
 *
 * Files, for a store at PATH:
 * - PATH: the lowdb snapshot `{schema_version, generation, seq, tasks, inbox, sessions}`, written atomically.
 * - PATH.journal: JSON lines (`journal.ts`), appended and fsynced once per batch (`durable: false` only: later).
 * - PATH.lock: the cross-process lock (`file-lock.ts`). A batch syncs, appends and maybe compacts under it.
 *
 * Why a journal: rewriting the whole file per change costs ~400 ms at 100k tasks (SPEC §11); appending a batch
 * costs the same at any size. When the journal outgrows the snapshot, the next snapshot is written in the
 * background while appends go on (generation + 1, pruned), and a crash at any step loses nothing (`store-files.ts`).
 *
 * Several processes share the file: each keeps the store in memory, appends under the lock after reading what the
 * others appended, and reads that before a read unless it holds the lock (fs.watch and a `pollMs` poll tell the feed).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LeaseLostError, StoreError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import type { InboxItem } from '../../model/inbox.js';
import type { Session } from '../../model/session.js';
import type { Claim, Task } from '../../model/task.js';
import type {
  Change,
  StoreOpenOptions,
  TaskPage,
  TaskQuery,
  TaskStore,
  Transaction,
  TransactOptions,
} from '../task-store.js';
import { releaseClaim } from '../release.js';
import { ChangeFeed } from './change-feed.js';
import { DurabilityMark } from './durability-mark.js';
import { FileLock } from './file-lock.js';
import { JournalFollower } from './journal-follower.js';
import { FileTransaction } from './file-transaction.js';
import { countTasks, findTasks } from './state-query.js';
import type { StoreState } from './store-state.js';
import { StoreFiles } from './store-files.js';
import { SCHEMA_VERSION } from './stored-records.js';
import type { JournalRecord } from './stored-records.js';
import { removeStaleTempFiles } from './temp-files.js';
import { UnsyncedChanges } from './unsynced-changes.js';

export { SCHEMA_VERSION };

export interface FileStoreOptions extends StoreOpenOptions {
  path: string;
  /** The journal is folded into the snapshot once it is larger than this many bytes and than the snapshot. */
  compactMinBytes?: number;
  /**
   * How often to look for other processes' changes, in ms; 0 turns polling off. Default 200, or 1000 while the
   * journal's folder is watched (the poll is then only the fallback of a watch that misses an event).
   */
  pollMs?: number;
  /** Watch the journal's folder (fs.watch) to hear other processes' changes at once. Default true. */
  watch?: boolean;
  /** Tests: awaited by a background compaction before it puts its new snapshot in place. */
  beforeCompactionCommit?: () => Promise<void>;
  log?: Logger;
  now?: () => Date;
}

/** One unit of work for the next batch: runs on fresh state under the lock and returns its value and records. */
interface Pending {
  run(): Promise<{ value: unknown; records: JournalRecord[] }>;
  durable: boolean; // false: resolved once written, durable with the next fsync (`UnsyncedChanges`)
  onWritten: (() => void) | undefined; // `TransactOptions.onWritten`
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class LowdbTaskStore implements TaskStore {
  private readonly files: StoreFiles;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private serial: Promise<unknown> = Promise.resolve();
  private follower: JournalFollower | null = null;
  private closed = false;
  private lookedThisTurn = false;
  private readonly unsynced = new UnsyncedChanges(() => this.feed);
  private readonly mark = new DurabilityMark();
  /** The batch being written will fsync (so it covers every batch written before it). */
  private syncing = false;
  readonly writes = { batches: 0, synced: 0, flushes: 0 }; // appended, fsynced by their own append, fsynced later
  private feed: ChangeFeed;
  private readonly lock: FileLock;
  private readonly log: Logger;
  private readonly now: () => Date;

  private constructor(private readonly options: FileStoreOptions) {
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.lock = new FileLock(
      options.path,
      this.log,
      (fn) => this.exclusive(fn),
      () => this.syncUnsynced().then(() => this.files.closeJournal()),
    );
    this.files = new StoreFiles(options.path, {
      ...options,
      log: this.log,
      now: this.now,
      ...(options.beforeCompactionCommit ? { beforeCommit: options.beforeCompactionCommit } : {}),
      inLine: (fn) => this.exclusive(fn),
      underLock: (fn) =>
        this.exclusive(() =>
          this.lock.withLease(async () => {
            this.unsynced.tell(await this.files.readOthers());
            await fn();
          }),
        ),
    });
    this.feed = new ChangeFeed(0, () => [], this.log);
  }

  /** Opens (creating if absent) the store at `options.path`. An unreadable file throws `StoreError`, untouched. */
  static async open(options: FileStoreOptions): Promise<LowdbTaskStore> {
    const store = new LowdbTaskStore(options);
    await store.init();
    return store;
  }

  /** Number of stored tasks (benchmarks, tests). */
  get size(): number {
    return this.files.state.tasks.size;
  }

  // ---- reads ----------------------------------------------------------------------------------------------

  async getTask(id: string): Promise<Task | undefined> {
    return (await this.fresh()).tasks.get(id);
  }

  async getTasks(ids: readonly string[]): Promise<Task[]> {
    const { tasks } = await this.fresh();
    return ids.map((id) => tasks.get(id)).filter((t): t is Task => t !== undefined);
  }

  async findTasks(query: TaskQuery): Promise<TaskPage> {
    return findTasks(await this.fresh(), query, this.now());
  }

  async countTasks(query: TaskQuery): Promise<number> {
    return countTasks(await this.fresh(), query, this.now());
  }

  async inbox(recipient: string, after: number, limit: number): Promise<InboxItem[]> {
    return (await this.fresh()).inbox(recipient, after, limit);
  }

  async getSession(id: string): Promise<Session | undefined> {
    return (await this.fresh()).sessions.get(id);
  }

  async headSeq(): Promise<number> {
    return (await this.fresh()).seq;
  }

  subscribe(sinceSeq: number, listener: (change: Change) => void): () => void {
    return this.feed.subscribe(sinceSeq, listener);
  }

  // ---- writes ---------------------------------------------------------------------------------------------

  transact<T>(fn: (tx: Transaction) => Promise<T> | T, options: TransactOptions = {}): Promise<T> {
    return this.enqueue(options.durable !== false, options.onWritten, async () => {
      const { fence } = options;
      if (fence) {
        // Checked against the state before this transaction: its own writes may end the claim (a completion).
        const held = this.files.state.tasks.get(fence.task_id)?.claim;
        if (!held || held.runner !== fence.runner || held.epoch !== fence.epoch)
          throw new LeaseLostError(fence.task_id);
      }
      const tx = new FileTransaction(this.files.state, this.now);
      const value = await fn(tx);
      return { value, records: tx.records };
    });
  }

  claim(taskId: string, runner: string, leaseMs: number): Promise<Claim | null> {
    return this.transact((tx) => tx.claim(taskId, runner, leaseMs));
  }

  renew(claims: readonly Claim[], leaseMs: number): Promise<Claim[]> {
    return this.enqueue(true, undefined, async () => {
      const lost: Claim[] = [];
      const records: JournalRecord[] = [];
      const expires_at = new Date(this.now().getTime() + leaseMs).toISOString();
      for (const claim of claims) {
        const held = this.files.state.tasks.get(claim.task_id)?.claim;
        if (held && held.runner === claim.runner && held.epoch === claim.epoch) {
          records.push({ lease: { task_id: claim.task_id, epoch: claim.epoch, expires_at } });
        } else {
          lost.push(claim);
        }
      }
      return { value: lost, records };
    });
  }

  release(claim: Claim, options: { refundAttempt?: boolean } = {}): Promise<void> {
    return releaseClaim(this, claim, options);
  }

  whenDurable(): Promise<void> | null {
    const wait = this.mark.whenDurable();
    // Written without a sync (a plain dispatch's creation) and no fsync coming: one now, not at the lock's idle.
    if (wait && !this.syncing && !this.queue.some((p) => p.durable)) {
      this.enqueue(true, undefined, async () => ({ value: undefined, records: [] })).catch(() => undefined);
    }
    return wait;
  }

  /** Waits for every queued change to be written, then stops polling and lets go of the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing) await this.flushing;
    await this.files.settled(); // a compaction under way puts its snapshot in place
    this.closed = true;
    this.follower?.close();
    await this.serial.catch(() => undefined);
    await this.exclusive(() => this.lock.release());
    this.files.closeJournal();
  }

  // ---- opening ---------------------------------------------------------------------------------------------

  private async init(): Promise<void> {
    const { path: file, readOnly } = this.options;
    if (readOnly) {
      await this.files.load();
    } else {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await this.lock.withLock(async () => {
        await removeStaleTempFiles(file, this.log);
        await this.files.openForWriting();
      });
    }
    const { state } = this.files;
    this.feed = new ChangeFeed(state.seq, (since) => this.files.state.changesSince(since), this.log);
    if (readOnly) return;
    this.follower = new JournalFollower({
      file,
      ...(this.options.watch !== undefined ? { watch: this.options.watch } : {}),
      ...(this.options.pollMs !== undefined ? { pollMs: this.options.pollMs } : {}),
      log: this.log,
      // Held: what moved it is our own append.
      moved: () => !this.closed && !this.lock.held && this.files.moved(),
      look: () => this.exclusive(() => this.sync()),
    });
  }

  // ---- syncing with other processes -----------------------------------------------------------------------

  /**
   * The state, after applying what other processes appended since the last look (a stat when nothing did; none
   * while this process holds the lock, when nobody else can append). One look per turn of the event loop: a caller
   * learns of another process's acknowledged change only through I/O, that is in a later turn.
   */
  private async fresh(): Promise<StoreState> {
    if (this.closed) throw new StoreError('the store is closed');
    if (this.options.readOnly || this.lookedThisTurn) return this.files.state;
    if (!this.lock.held && this.files.moved()) await this.exclusive(() => this.sync());
    this.lookedThisTurn = true;
    setImmediate(() => (this.lookedThisTurn = false));
    return this.files.state;
  }

  /** Applies what other processes wrote since the last look, and tells the subscribers. */
  private async sync(): Promise<void> {
    if (this.closed) return;
    this.unsynced.tell(await this.files.readOthers());
  }

  // ---- writing ---------------------------------------------------------------------------------------------

  private enqueue<T>(
    durable: boolean,
    onWritten: (() => void) | undefined,
    run: () => Promise<{ value: unknown; records: JournalRecord[] }>,
  ): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('the store is closed'));
    if (this.options.readOnly) return Promise.reject(new StoreError('the store was opened read-only'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, durable, onWritten, resolve: resolve as (v: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      // Let changes made in the same tick join this batch; everything queued while it is written goes into the next.
      await Promise.resolve();
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        this.syncing = batch.some((p) => p.durable);
        await this.exclusive(() => this.writeBatch(batch));
      }
      this.syncing = false;
      this.flushing = null;
    })();
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    const local: Change[] = [];
    const records: JournalRecord[] = [];
    let remote: Change[] = [];
    // One durable transaction makes the whole batch durable, and every batch written unsynced before it.
    const durable = batch.some((p) => p.durable);
    try {
      await this.lock.withLease(async (taken) => {
        if (taken) remote = await this.files.readOthers(); // else held since our last batch: nothing new but ours
        for (const pending of batch) {
          try {
            const { value, records: own } = await pending.run();
            for (const r of own) {
              const change = this.files.state.apply(r);
              if (change) local.push(change);
            }
            records.push(...own);
            outcomes.push({ ok: true, value });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
        const syncs = durable && (records.length > 0 || this.files.unsynced);
        const upTo = records.length > 0 ? this.mark.wrote() : this.mark.last;
        // Told while the fsync runs (just issued); nothing is said to anyone before `mark` has the batch durable.
        const appending = this.files.append(records, syncs);
        batch.forEach((p, i) => outcomes[i]?.ok && written(p));
        await appending;
        if (syncs || !this.files.unsynced) this.mark.covered(upTo);
        this.writes.batches++;
        if (syncs) this.writes.synced++;
      });
    } catch (error) {
      // The write failed: memory may be ahead of disk. Reload what is on disk and fail the whole batch.
      const failure = new StoreError(`could not write the store: ${errorMessage(error)}`, { cause: error });
      await this.reload(failure);
      for (const p of batch) p.reject(failure);
      return;
    }
    // Subscribers hear of a change once it is durable, in seq order: our unsynced batches, others', then this one.
    if (durable) this.unsynced.synced(remote, local);
    else this.unsynced.written(remote, local);
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) p.resolve(outcome.value);
      else p.reject(outcome?.error);
    });
  }

  /**
   * Makes the batches written without a sync durable and tells their changes; the lock calls this before it lets
   * go (so an idle store is durable within its idle time). Never throws: a failed sync reloads, as a failed write.
   */
  private async syncUnsynced(): Promise<void> {
    const upTo = this.mark.last;
    try {
      if (this.files.unsynced) await this.files.sync().then(() => this.writes.flushes++);
      this.mark.covered(upTo);
      this.unsynced.synced();
    } catch (error) {
      this.log.error('could not write the store; reloading it from disk', { error: errorMessage(error) });
      await this.reload(new StoreError(`could not write the store: ${errorMessage(error)}`, { cause: error }));
    }
  }

  /** After a failed write (memory may be ahead of disk): the image read again, the feed restarted. */
  private async reload(failure: StoreError): Promise<void> {
    this.mark.failed(failure);
    this.unsynced.drop();
    await this.files.load().catch(() => undefined);
    this.feed.reset(this.files.state.seq);
  }

  /** Runs disk-touching work one at a time within this process. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }
}

/** Tells a transaction's caller that it is written (`TransactOptions.onWritten`); what the caller does is its own. */
function written(pending: Pending): void {
  try {
    pending.onWritten?.();
  } catch {
    // a hint to prepare an answer: a failure there changes nothing stored
  }
}
