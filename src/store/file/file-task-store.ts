/**
 * The task store on one lowdb JSON file plus its journal (SPEC §9, the embedded default).
 *
 * Files, for a store at PATH:
 * - PATH: the lowdb snapshot `{schema_version, generation, seq, tasks, inbox, sessions}`, written atomically.
 * - PATH.journal: JSON lines (`journal.ts`), appended and fsynced once per batch of transactions.
 * - PATH.lock: the cross-process lock (`file-lock.ts`). A batch syncs, appends and maybe compacts under it.
 *
 * Why a journal: rewriting the whole file per change costs ~400 ms at 100k tasks (SPEC §11); appending a batch
 * costs the same at any size. When the journal outgrows the snapshot, the snapshot is rewritten (generation + 1,
 * pruned) and the journal restarted; journal lines of an older generation are already in the snapshot and are
 * ignored, so a crash between the two steps loses nothing.
 *
 * Several processes share the file: each keeps the whole store in memory, appends under the lock after reading what
 * the others appended, and looks at the journal before every read (a stat: a read sees every change acknowledged
 * before it began) and every `pollMs` (so that the change feed hears other processes' changes).
 */
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
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
import { ChangeFeed } from './change-feed.js';
import { FileLock } from './file-lock.js';
import { FileTransaction } from './file-transaction.js';
import { appendJournal, readJournal, resetJournal } from './journal.js';
import { SnapshotFile } from './snapshot-file.js';
import type { SnapshotData } from './snapshot-file.js';
import { countTasks, findTasks } from './state-query.js';
import { StoreState } from './store-state.js';
import { SCHEMA_VERSION, recordSchemas, upgradeFromV1 } from './stored-records.js';
import type { JournalRecord } from './stored-records.js';
import { removeStaleTempFiles } from './temp-files.js';

export { SCHEMA_VERSION };

const DAY_MS = 24 * 3600 * 1000;

/** The header of a snapshot; its records are validated by `SnapshotFile` as it streams them in. */
const SnapshotHeaderSchema = z.object({
  schema_version: z.number().int(),
  generation: z.number().int(),
  seq: z.number().int(),
  tasks: z.array(z.unknown()),
  inbox: z.array(z.unknown()),
  sessions: z.array(z.unknown()).default([]),
});

const EMPTY: SnapshotData = {
  schema_version: SCHEMA_VERSION,
  generation: 0,
  seq: 0,
  tasks: [],
  inbox: [],
  sessions: [],
};

export interface FileStoreOptions extends StoreOpenOptions {
  path: string;
  /** The journal is folded into the snapshot once it is larger than this many bytes and than the snapshot. */
  compactMinBytes?: number;
  /** How often to look for other processes' changes, in ms; 0 turns polling off. Default 200. */
  pollMs?: number;
  log?: Logger;
  now?: () => Date;
}

/** One unit of work for the next batch: runs on fresh state under the lock and returns its value and records. */
interface Pending {
  run(): Promise<{ value: unknown; records: JournalRecord[] }>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class LowdbTaskStore implements TaskStore {
  private state = new StoreState();
  private generation = 0;
  private journalIno = -1;
  /** Bytes of the journal read and applied: always the end of a complete line. */
  private offset = 0;
  private snapshotBytes = 0;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private serial: Promise<unknown> = Promise.resolve();
  private poller: NodeJS.Timeout | null = null;
  private closed = false;
  private feed: ChangeFeed;
  private readonly lock: FileLock;
  private readonly journalPath: string;
  private readonly db: Low<SnapshotData>;
  private readonly log: Logger;
  private readonly now: () => Date;

  private constructor(private readonly options: FileStoreOptions) {
    this.journalPath = `${options.path}.journal`;
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.lock = new FileLock(options.path, this.log, (fn) => this.exclusive(fn));
    // Not JSONFilePreset: it silently swaps to memory when NODE_ENV=test. SnapshotFile streams the file.
    this.db = new Low<SnapshotData>(new SnapshotFile(options.path, sectionsFor({}), sectionsFor), EMPTY);
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
    return this.state.tasks.size;
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

  async lastInbox(recipient: string, match: { event: InboxItem['event']; task_id: string }) {
    const state = await this.fresh();
    return state.lastInbox(recipient, (i) => i.event === match.event && i.task_id === match.task_id);
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
    return this.enqueue(async () => {
      const { fence } = options;
      if (fence) {
        // Checked against the state before this transaction: its own writes may end the claim (a completion).
        const held = this.state.tasks.get(fence.task_id)?.claim;
        if (!held || held.runner !== fence.runner || held.epoch !== fence.epoch)
          throw new LeaseLostError(fence.task_id);
      }
      const tx = new FileTransaction(this.state, this.now);
      const value = await fn(tx);
      return { value, records: tx.records };
    });
  }

  claim(taskId: string, runner: string, leaseMs: number): Promise<Claim | null> {
    return this.transact((tx) => tx.claim(taskId, runner, leaseMs));
  }

  renew(claims: readonly Claim[], leaseMs: number): Promise<Claim[]> {
    return this.enqueue(async () => {
      const lost: Claim[] = [];
      const records: JournalRecord[] = [];
      const expires_at = new Date(this.now().getTime() + leaseMs).toISOString();
      for (const claim of claims) {
        const held = this.state.tasks.get(claim.task_id)?.claim;
        if (held && held.runner === claim.runner && held.epoch === claim.epoch) {
          records.push({ lease: { task_id: claim.task_id, epoch: claim.epoch, expires_at } });
        } else {
          lost.push(claim);
        }
      }
      return { value: lost, records };
    });
  }

  async release(claim: Claim, options: { refundAttempt?: boolean } = {}): Promise<void> {
    await this.transact(async (tx) => {
      const task = await tx.getTask(claim.task_id);
      if (!task?.claim || task.claim.runner !== claim.runner || task.claim.epoch !== claim.epoch) return;
      tx.putTask({
        ...task,
        claim: null,
        ...(options.refundAttempt ? { attempts: Math.max(0, task.attempts - 1), status_message: null } : {}),
      });
    });
  }

  /** Waits for every queued change to be written, then stops polling and lets go of the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing) await this.flushing;
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    await this.serial.catch(() => undefined);
    await this.exclusive(() => this.lock.release());
  }

  // ---- opening ---------------------------------------------------------------------------------------------

  private async init(): Promise<void> {
    const { path: file, readOnly } = this.options;
    if (readOnly) {
      await this.fullLoad();
    } else {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await this.lock.withLock(async () => {
        await removeStaleTempFiles(file, this.log);
        if (!(await exists(file))) {
          if (await exists(this.journalPath)) {
            throw new StoreError(
              `cannot open store ${file}: the journal ${this.journalPath} exists without its snapshot; left untouched`,
            );
          }
          await this.writeSnapshot({ ...EMPTY, generation: 1 });
        }
        const { upgraded } = await this.fullLoad();
        // Repair: a journal of an older generation (crash mid-compaction) or a missing one is restarted.
        if (this.journalIno === -1) await this.restartJournal();
        if (upgraded || this.state.prunable(this.cutoff())) await this.compact();
      });
    }
    this.feed = new ChangeFeed(this.state.seq, (since) => this.state.changesSince(since), this.log);
    const pollMs = this.options.pollMs ?? 200;
    if (pollMs > 0 && !readOnly) {
      this.poller = setInterval(() => {
        if (this.journalMoved()) {
          this.exclusive(() => this.sync()).catch((error: unknown) =>
            this.log.warn('store refresh failed', { error: errorMessage(error) }),
          );
        }
      }, pollMs);
      this.poller.unref();
    }
  }

  /**
   * Reads snapshot and journal from scratch into a new state (upgrading an older schema in memory). Sets
   * journalIno to -1 when the journal is missing or of an older generation.
   */
  private async fullLoad(): Promise<{ upgraded: boolean }> {
    const file = this.options.path;
    for (let attempt = 0; ; attempt++) {
      let snapshot: z.infer<typeof SnapshotHeaderSchema>;
      const state = new StoreState();
      try {
        await this.db.read();
        const parsed = SnapshotHeaderSchema.safeParse(this.db.data);
        this.db.data = EMPTY; // lowdb's copy is not kept: the state below is the store in memory
        if (!parsed.success) throw new Error(z.prettifyError(parsed.error).split('\n').slice(0, 3).join('; '));
        snapshot = parsed.data;
        for (const t of snapshot.tasks as Task[]) state.putTask(t);
        for (const i of snapshot.inbox as InboxItem[]) state.addInbox(i);
        for (const s of snapshot.sessions as Session[]) state.sessions.set(s.id, s);
        this.snapshotBytes = (await fs.stat(file)).size;
      } catch (error) {
        if (error instanceof StoreError) throw error;
        if (error instanceof NewerSchemaError) {
          throw new StoreError(
            `store ${file} has schema version ${error.version}, newer than this Baton's ${SCHEMA_VERSION}; upgrade Baton; the file was left untouched`,
          );
        }
        throw new StoreError(`cannot read store ${file}: ${errorMessage(error)}; the file was left untouched`, {
          cause: error,
        });
      }
      state.seq = Math.max(state.seq, snapshot.seq);

      const journal = await readJournal(this.journalPath, 0, recordSchemas(snapshot.schema_version));
      if (journal && journal.generation !== undefined && journal.generation > snapshot.generation) {
        // Another process is compacting: its new journal appeared before we read its snapshot. Read again.
        if (attempt < 5) continue;
        // Still newer: an older snapshot was put back (a restore from backup). The journal holds changes the
        // snapshot has never seen, and rewriting it would lose them.
        throw new StoreError(
          `cannot open store ${file}: its journal ${this.journalPath} is of generation ${journal.generation}, ` +
            `newer than the snapshot's ${snapshot.generation} (was an older snapshot restored?); both files were left untouched`,
        );
      }
      const current = journal !== null && journal.generation === snapshot.generation;
      if (current) for (const r of journal.records) state.apply(r);
      const upgraded = snapshot.schema_version < SCHEMA_VERSION;
      if (upgraded) {
        state.seq = upgradeFromV1(state, state.seq);
        state.reindex();
      } else if (!inCreationOrder(state)) {
        state.reindex();
      }
      this.state = state;
      this.generation = snapshot.generation;
      this.journalIno = current ? journal.ino : -1;
      this.offset = current ? journal.end : 0;
      return { upgraded };
    }
  }

  // ---- syncing with other processes -----------------------------------------------------------------------

  /** The state, after applying what other processes appended since the last look (a stat when nothing did). */
  private async fresh(): Promise<StoreState> {
    if (this.closed) throw new StoreError('the store is closed');
    if (!this.options.readOnly && this.journalMoved()) await this.exclusive(() => this.sync());
    return this.state;
  }

  /** Whether the journal has bytes we have not read, or was replaced. */
  private journalMoved(): boolean {
    try {
      const stat = statSync(this.journalPath);
      return stat.ino !== this.journalIno || stat.size !== this.offset;
    } catch {
      return this.journalIno !== -1;
    }
  }

  /** Applies what other processes wrote since the last look, and tells the subscribers. */
  private async sync(): Promise<void> {
    if (this.closed) return;
    this.feed.publish(await this.readOthers());
  }

  /** Applies what other processes appended since the last look; returns the changes it applied, in seq order. */
  private async readOthers(): Promise<Change[]> {
    let stat;
    try {
      stat = statSync(this.journalPath);
    } catch {
      stat = null;
    }
    if (stat && stat.ino === this.journalIno) {
      if (stat.size <= this.offset) return [];
      const tail = await readJournal(this.journalPath, this.offset, recordSchemas(SCHEMA_VERSION));
      if (!tail) return [];
      const changes: Change[] = [];
      for (const r of tail.records) {
        const change = this.state.apply(r);
        if (change) changes.push(change);
      }
      this.offset = tail.end;
      return changes;
    }
    // The journal was replaced (another process compacted): reload everything; the changes are what is newer.
    const before = this.state.seq;
    await this.fullLoad();
    return this.state.changesSince(before);
  }

  // ---- writing ---------------------------------------------------------------------------------------------

  private enqueue<T>(run: () => Promise<{ value: unknown; records: JournalRecord[] }>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('the store is closed'));
    if (this.options.readOnly) return Promise.reject(new StoreError('the store was opened read-only'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
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
        await this.exclusive(() => this.writeBatch(batch));
      }
      this.flushing = null;
    })();
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    const local: Change[] = [];
    const records: JournalRecord[] = [];
    let remote: Change[] = [];
    try {
      await this.lock.withLease(async () => {
        remote = await this.readOthers();
        if (this.journalIno === -1) await this.restartJournal();
        for (const pending of batch) {
          try {
            const { value, records: own } = await pending.run();
            for (const r of own) {
              const change = this.state.apply(r);
              if (change) local.push(change);
            }
            records.push(...own);
            outcomes.push({ ok: true, value });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
        if (records.length > 0) {
          await appendJournal(this.journalPath, this.offset, records, (end) => (this.offset = end));
        }
        if (this.offset > Math.max(this.options.compactMinBytes ?? 4 * 1024 * 1024, this.snapshotBytes)) {
          await this.compact();
        }
      });
    } catch (error) {
      // The write failed: memory may be ahead of disk. Reload what is on disk and fail the whole batch.
      const failure = new StoreError(`could not write the store: ${errorMessage(error)}`, { cause: error });
      await this.fullLoad().catch(() => undefined);
      this.feed.reset(this.state.seq);
      for (const p of batch) p.reject(failure);
      return;
    }
    // Subscribers hear of a change once it is durable: what others wrote first (it comes earlier), then ours.
    this.feed.publish(remote);
    this.feed.publish(local);
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) p.resolve(outcome.value);
      else p.reject(outcome?.error);
    });
  }

  /** Rewrites the snapshot (next generation, pruned) and restarts the journal. Caller holds the lock. */
  private async compact(): Promise<void> {
    const dropped = this.state.prune(this.cutoff());
    this.generation += 1;
    await this.writeSnapshot({
      schema_version: SCHEMA_VERSION,
      generation: this.generation,
      seq: this.state.seq,
      tasks: [...this.state.tasks.values()],
      inbox: this.state.allInbox(),
      sessions: [...this.state.sessions.values()],
    });
    await this.restartJournal();
    this.log.debug('store compacted', { generation: this.generation, tasks: this.state.tasks.size, pruned: dropped });
  }

  private cutoff(): string {
    return new Date(this.now().getTime() - (this.options.retentionMs ?? 30 * DAY_MS)).toISOString();
  }

  private async writeSnapshot(snapshot: SnapshotData): Promise<void> {
    this.db.data = snapshot;
    try {
      await this.db.write(); // SnapshotFile: temp file, fsync, rename: never a torn file
    } finally {
      this.db.data = EMPTY;
    }
    this.snapshotBytes = (await fs.stat(this.options.path)).size;
  }

  private async restartJournal(): Promise<void> {
    const { ino, end } = await resetJournal(this.journalPath, this.generation);
    this.journalIno = ino;
    this.offset = end;
  }

  /** Runs disk-touching work one at a time within this process. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }
}

/** The record schemas of a snapshot, by its header's schema version (a newer one is refused). */
function sectionsFor(header: SnapshotData) {
  const version = typeof header.schema_version === 'number' ? header.schema_version : SCHEMA_VERSION;
  if (version > SCHEMA_VERSION) throw new NewerSchemaError(version);
  const schemas = recordSchemas(version);
  return { tasks: schemas.task, inbox: schemas.inbox, sessions: schemas.session };
}

/** Whether the tasks came in creation order (a store written by Baton always does; a hand-edited one may not). */
function inCreationOrder(state: StoreState): boolean {
  let last = -Infinity;
  for (const task of state.tasks.values()) {
    if (task.created_seq < last) return false;
    last = task.created_seq;
  }
  return true;
}

class NewerSchemaError extends Error {
  constructor(readonly version: number) {
    super(`schema version ${version}`);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
