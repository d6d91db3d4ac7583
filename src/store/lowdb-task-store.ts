/**
 * The task store on one lowdb JSON file plus its journal.
 *
 * Files, for a store at PATH:
 * - PATH: the lowdb snapshot `{schema_version, generation, seq, tasks, inbox, sessions}`, written atomically
 *   (temp + rename).
 * - PATH.journal: JSON lines. The first is `{generation}`; each other line is one record, `{"task":…}`,
 *   `{"inbox":…}` or `{"session":…}`, that replaces the record with the same id. Appended and fsynced once per batch.
 * - PATH.lock: the cross-process lock (proper-lockfile). A batch syncs, appends and maybe compacts under it; it is
 *   kept as a lease while batches keep coming and dropped when they stop (see `withLease`).
 *
 * Why a journal: rewriting the whole file per change costs ~400 ms at 100k tasks (SPEC §11); appending a batch
 * costs the same at any size. When the journal outgrows the snapshot, the snapshot is rewritten (generation + 1,
 * pruned of expired tasks) and the journal restarted; journal lines of an older generation are already in the
 * snapshot and are ignored, so a crash between the two steps loses nothing.
 */
import {
  closeSync,
  fdatasync as fdatasyncCb,
  ftruncateSync,
  openSync,
  promises as fs,
  statSync,
  writeSync,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { Low } from 'lowdb';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { StoreError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { InboxItemSchema, SessionSchema, TaskSchema, isTerminal } from './records.js';
import type { InboxItem, Session, Task } from './records.js';
import { SnapshotFile } from './snapshot-file.js';
import type { SnapshotData } from './snapshot-file.js';
import { StoreState } from './store-state.js';
import type { StoreChange, TaskStore, Transaction, TransactOptions } from './task-store.js';

export const SCHEMA_VERSION = 1;

const fdatasync = promisify(fdatasyncCb);

/** The lock lease (see `withLease`). */
const LEASE_IDLE_MS = 25;
const LEASE_MAX_MS = 200;
const LEASE_YIELD_MS = 2;

const SnapshotSchema = z.object({
  schema_version: z.number().int(),
  generation: z.number().int(),
  seq: z.number().int(),
  tasks: z.array(TaskSchema),
  inbox: z.array(InboxItemSchema),
  sessions: z.array(SessionSchema).default([]),
});
type Snapshot = z.infer<typeof SnapshotSchema>;

/** The snapshot's records are validated by `SnapshotFile` as it streams them in; this checks the rest. */
const SnapshotHeaderSchema = SnapshotSchema.extend({
  tasks: z.array(z.unknown()),
  inbox: z.array(z.unknown()),
  sessions: z.array(z.unknown()).default([]),
});

const SECTIONS = { tasks: TaskSchema, inbox: InboxItemSchema, sessions: SessionSchema };

const EMPTY_SNAPSHOT: Snapshot = {
  schema_version: SCHEMA_VERSION,
  generation: 0,
  seq: 0,
  tasks: [],
  inbox: [],
  sessions: [],
};

const JournalHeaderSchema = z.object({ generation: z.number().int() });
/** One journal line after the header: a record that replaces the one with the same id. */
type JournalRecord = { task: Task } | { inbox: InboxItem } | { session: Session };

export interface LowdbTaskStoreOptions {
  path: string;
  /** Terminal tasks and inbox items older than this are pruned at compaction. Default 30 days. */
  retentionMs?: number;
  /** The journal is folded into the snapshot once it is larger than this many bytes and than the snapshot. */
  compactMinBytes?: number;
  /** How often to look for other processes' changes, in ms; 0 turns polling off. Default 200. */
  pollMs?: number;
  /** Read-only: no lock, no repair, no writes (the CLI's `tasks` command). */
  readOnly?: boolean;
  log?: Logger;
  now?: () => Date;
}

interface Pending {
  fn: (tx: Transaction) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Resolve once applied in memory, without waiting for the write (see `TransactOptions`). */
  early: boolean;
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
  private listeners = new Set<(change: StoreChange) => void>();
  private poller: NodeJS.Timeout | null = null;
  private closed = false;
  private lease: { release: () => void | Promise<void>; since: number } | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private readonly journalPath: string;
  private readonly lockPath: string;
  private readonly db: Low<SnapshotData>;
  private readonly log: Logger;
  private readonly now: () => Date;

  private constructor(private readonly options: LowdbTaskStoreOptions) {
    this.journalPath = `${options.path}.journal`;
    this.lockPath = `${options.path}.lock`;
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    // Not JSONFilePreset: it silently swaps to memory when NODE_ENV=test. SnapshotFile streams the file.
    this.db = new Low<SnapshotData>(new SnapshotFile(options.path, SECTIONS), EMPTY_SNAPSHOT);
  }

  /** Opens (creating if absent) the store at `options.path`. An unreadable file throws `StoreError` and is left untouched. */
  static async open(options: LowdbTaskStoreOptions): Promise<LowdbTaskStore> {
    const store = new LowdbTaskStore(options);
    await store.init();
    return store;
  }

  get size(): number {
    return this.state.tasks.size;
  }

  get seq(): number {
    return this.state.seq;
  }

  getTask(id: string): Task | undefined {
    return this.state.tasks.get(id);
  }

  getSession(id: string): Session | undefined {
    return this.state.sessions.get(id);
  }

  newestFirst(): Iterable<Task> {
    return this.state.newestFirst();
  }

  all(): Iterable<Task> {
    return this.state.tasks.values();
  }

  childrenOf(id: string): Task[] {
    return this.state.childrenOf(id);
  }

  dependentsOf(id: string): Task[] {
    return this.state.dependentsOf(id);
  }

  inbox(recipient: string, after: number, limit: number): InboxItem[] {
    return this.state.inbox(recipient, after, limit);
  }

  lastInbox(recipient: string, match: (item: InboxItem) => boolean): InboxItem | undefined {
    return this.state.lastInbox(recipient, match);
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async refresh(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => {
      const remote = await this.syncFromDisk();
      this.emit(remote, 'remote');
    });
  }

  transact<T>(fn: (tx: Transaction) => T, options: TransactOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('the store is closed'));
    if (this.options.readOnly) return Promise.reject(new StoreError('the store was opened read-only'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, early: options.durable === false });
      this.scheduleFlush();
    });
  }

  /** Waits for every queued change to be written, then stops polling. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing) await this.flushing;
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    await this.serial.catch(() => undefined);
    await this.exclusive(() => this.releaseLease());
  }

  // ---- opening ---------------------------------------------------------------------------------------------

  private async init(): Promise<void> {
    const { path: file, readOnly } = this.options;
    if (!readOnly) await fs.mkdir(path.dirname(file), { recursive: true });
    if (readOnly) {
      await this.fullLoad();
    } else {
      await this.withLock(async () => {
        await this.removeStaleTempFiles();
        if (!(await exists(file))) {
          if (await exists(this.journalPath)) {
            throw new StoreError(
              `cannot open store ${file}: the journal ${this.journalPath} exists without its snapshot; left untouched`,
            );
          }
          await this.writeSnapshot({
            schema_version: SCHEMA_VERSION,
            generation: 1,
            seq: 0,
            tasks: [],
            inbox: [],
            sessions: [],
          });
        }
        await this.fullLoad();
        // Repair: a journal of an older generation (crash mid-compaction) or a missing one is restarted.
        if (this.journalIno === -1) await this.resetJournal();
        if (this.prunable()) await this.compact();
      });
    }
    const pollMs = this.options.pollMs ?? 200;
    if (pollMs > 0 && !readOnly) {
      this.poller = setInterval(() => {
        this.refresh().catch((error: unknown) => this.log.warn('store refresh failed', { error: errorMessage(error) }));
      }, pollMs);
      this.poller.unref();
    }
  }

  /**
   * Removes the temp files of snapshot and journal writes that a killed process left behind. Every such write
   * runs under the lock, which we hold, so a temp file is stale unless its process is still alive (a process that
   * lost the lock while paused); those are left for a later start.
   */
  private async removeStaleTempFiles(): Promise<void> {
    const dir = path.dirname(this.options.path);
    const base = escapeRegExp(path.basename(this.options.path));
    const temp = new RegExp(`^(?:\\.${base}|${base}\\.journal)\\.(\\d+)\\.tmp$`);
    for (const name of await fs.readdir(dir)) {
      const pid = Number(temp.exec(name)?.[1] ?? NaN);
      if (!Number.isInteger(pid) || (pid !== process.pid && isAlive(pid))) continue;
      try {
        const { size } = await fs.stat(path.join(dir, name));
        await fs.rm(path.join(dir, name));
        this.log.info('removed a temp file left by an interrupted store write', { file: name, bytes: size });
      } catch (error) {
        this.log.warn('could not remove a stale store temp file', { file: name, error: errorMessage(error) });
      }
    }
  }

  /** Reads snapshot and journal from scratch. Sets journalIno to -1 when the journal is missing or stale. */
  private async fullLoad(): Promise<StoreState> {
    const file = this.options.path;
    for (let attempt = 0; ; attempt++) {
      let snapshot: z.infer<typeof SnapshotHeaderSchema>;
      const state = new StoreState();
      try {
        await this.db.read();
        const parsed = SnapshotHeaderSchema.safeParse(this.db.data);
        this.db.data = EMPTY_SNAPSHOT; // lowdb's copy is not kept: the state below is the store in memory
        if (!parsed.success) throw new Error(z.prettifyError(parsed.error).split('\n').slice(0, 3).join('; '));
        snapshot = parsed.data;
        if (snapshot.schema_version > SCHEMA_VERSION) {
          throw new StoreError(
            `store ${file} has schema version ${snapshot.schema_version}, newer than this Baton's ${SCHEMA_VERSION}; upgrade Baton`,
          );
        }
        for (const t of snapshot.tasks as Task[]) state.putTask(t);
        for (const i of snapshot.inbox as InboxItem[]) state.addInbox(i);
        for (const x of snapshot.sessions as Session[]) state.sessions.set(x.id, x);
        this.snapshotBytes = (await fs.stat(file)).size;
      } catch (error) {
        if (error instanceof StoreError) throw error;
        throw new StoreError(`cannot read store ${file}: ${errorMessage(error)}; the file was left untouched`, {
          cause: error,
        });
      }
      state.seq = Math.max(state.seq, snapshot.seq);

      const journal = await readJournal(this.journalPath, 0);
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
      this.state = state;
      this.generation = snapshot.generation;
      if (journal && journal.generation === snapshot.generation) {
        for (const r of journal.records) applyRecord(state, r);
        this.journalIno = journal.ino;
        this.offset = journal.end;
      } else {
        this.journalIno = -1;
        this.offset = 0;
      }
      return state;
    }
  }

  // ---- syncing with other processes -----------------------------------------------------------------------

  /** Applies what other processes appended since the last look; returns the records it applied. */
  private async syncFromDisk(): Promise<JournalRecord[]> {
    let stat;
    try {
      stat = statSync(this.journalPath);
    } catch {
      stat = null;
    }
    if (stat && stat.ino === this.journalIno) {
      if (stat.size <= this.offset) return [];
      const tail = await readJournal(this.journalPath, this.offset);
      if (!tail) return [];
      for (const r of tail.records) applyRecord(this.state, r);
      this.offset = tail.end;
      return tail.records;
    }
    // The journal was replaced (another process compacted): reload everything and report what differs.
    const before = this.state;
    const after = await this.fullLoad();
    const changed: JournalRecord[] = [];
    for (const t of after.tasks.values()) {
      const old = before.tasks.get(t.id);
      if (!old || old.updated_at !== t.updated_at || old.status !== t.status) changed.push({ task: t });
    }
    for (const i of after.allInbox()) if (i.seq > before.seq) changed.push({ inbox: i });
    for (const session of after.sessions.values()) {
      if (before.sessions.get(session.id)?.updated_at !== session.updated_at) changed.push({ session });
    }
    return changed;
  }

  // ---- writing ---------------------------------------------------------------------------------------------

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
    const records: JournalRecord[] = [];
    let remote: JournalRecord[] = [];
    try {
      await this.withLease(async () => {
        remote = await this.syncFromDisk();
        if (this.journalIno === -1) await this.resetJournal();
        for (const pending of batch) {
          const tx = new BufferedTransaction(this.state);
          try {
            const value = pending.fn(tx);
            for (const r of tx.records) applyRecord(this.state, r);
            records.push(...tx.records);
            outcomes.push({ ok: true, value });
            if (pending.early) pending.resolve(value);
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
        if (records.length > 0) await this.append(records);
        if (this.offset > Math.max(this.options.compactMinBytes ?? 4 * 1024 * 1024, this.snapshotBytes)) {
          await this.compact();
        }
      });
    } catch (error) {
      // The write failed: memory may be ahead of disk. Reload what is on disk and fail the whole batch.
      const failure = new StoreError(`could not write the store: ${errorMessage(error)}`, { cause: error });
      await this.fullLoad().catch(() => undefined);
      for (const p of batch) p.reject(failure);
      return;
    }
    this.emit(remote, 'remote');
    this.emit(records, 'local');
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) p.resolve(outcome.value);
      else p.reject(outcome?.error);
    });
  }

  private async append(records: JournalRecord[]): Promise<void> {
    const buffer = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    // Page-cache work is synchronous (microseconds); only the flush to disk goes through the thread pool.
    const fd = openSync(this.journalPath, 'r+');
    try {
      // Drop a torn last line left by a process that died mid-write before appending after it.
      ftruncateSync(fd, this.offset);
      writeSync(fd, buffer, 0, buffer.length, this.offset);
      await fdatasync(fd);
      this.offset += buffer.length;
    } finally {
      closeSync(fd);
    }
  }

  /** Rewrites the snapshot (next generation, pruned) and restarts the journal. Caller holds the lock. */
  private async compact(): Promise<void> {
    const cutoff = new Date(this.now().getTime() - (this.options.retentionMs ?? 30 * 24 * 3600 * 1000)).toISOString();
    const dropped = this.state.prune(cutoff, (t) => isTerminal(t.status));
    this.generation += 1;
    await this.writeSnapshot({
      schema_version: SCHEMA_VERSION,
      generation: this.generation,
      seq: this.state.seq,
      tasks: [...this.state.tasks.values()],
      inbox: this.state.allInbox(),
      sessions: [...this.state.sessions.values()],
    });
    await this.resetJournal();
    this.log.debug('store compacted', { generation: this.generation, tasks: this.state.tasks.size, pruned: dropped });
  }

  private prunable(): boolean {
    const cutoff = new Date(this.now().getTime() - (this.options.retentionMs ?? 30 * 24 * 3600 * 1000)).toISOString();
    for (const t of this.state.tasks.values()) {
      if (isTerminal(t.status) && t.finished_at !== null && t.finished_at < cutoff) return true;
    }
    return false;
  }

  private async writeSnapshot(snapshot: Snapshot): Promise<void> {
    this.db.data = snapshot;
    try {
      await this.db.write(); // SnapshotFile: temp file, fsync, rename: never a torn file
    } finally {
      this.db.data = EMPTY_SNAPSHOT;
    }
    this.snapshotBytes = (await fs.stat(this.options.path)).size;
  }

  /** Starts an empty journal of the current generation, atomically (temp + rename). */
  private async resetJournal(): Promise<void> {
    const tmp = `${this.journalPath}.${process.pid}.tmp`;
    const header = Buffer.from(JSON.stringify({ generation: this.generation }) + '\n');
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.write(header);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, this.journalPath);
    await fsyncPath(path.dirname(this.journalPath));
    this.journalIno = (await fs.stat(this.journalPath)).ino;
    this.offset = header.length;
  }

  // ---- plumbing ------------------------------------------------------------------------------------------

  private emit(records: JournalRecord[], origin: StoreChange['origin']): void {
    if (records.length === 0) return;
    const change: StoreChange = { tasks: [], inbox: [], origin };
    for (const r of records) {
      if ('task' in r) change.tasks.push(r.task);
      else if ('inbox' in r) change.inbox.push(r.inbox);
    }
    if (change.tasks.length === 0 && change.inbox.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.log.error('store change listener failed', { error: errorMessage(error) });
      }
    }
  }

  /** Runs disk-touching work one at a time within this process. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  /** Runs `fn` holding the cross-process lock for one piece of work (opening the store). */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.takeLock();
    try {
      return await fn();
    } finally {
      await safely(release);
    }
  }

  /**
   * Runs a batch under a lease on the lock: taking and dropping it costs two directory operations (~0.5 ms), so it
   * is kept while batches keep coming and dropped after LEASE_IDLE_MS without one, or after LEASE_MAX_MS of holding
   * (then taken again only after a short pause, so another process on the store gets its turn).
   */
  private async withLease<T>(fn: () => Promise<T>): Promise<T> {
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.leaseTimer = null;
    if (this.lease && Date.now() - this.lease.since > LEASE_MAX_MS) {
      await this.releaseLease();
      await new Promise((r) => setTimeout(r, LEASE_YIELD_MS));
    }
    if (!this.lease) this.lease = { release: await this.takeLock(), since: Date.now() };
    try {
      return await fn();
    } finally {
      this.leaseTimer = setTimeout(() => void this.exclusive(() => this.releaseLease()), LEASE_IDLE_MS);
      this.leaseTimer.unref();
    }
  }

  private async releaseLease(): Promise<void> {
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.leaseTimer = null;
    const lease = this.lease;
    this.lease = null;
    if (lease) await safely(lease.release);
  }

  /** Takes the lock: at once when it is free, else through the retry policy. */
  private async takeLock(): Promise<() => void | Promise<void>> {
    const options = {
      lockfilePath: this.lockPath,
      realpath: false,
      stale: 5000,
      onCompromised: (error: Error) => {
        this.lease = null;
        this.log.error('store lock compromised', { error: error.message });
      },
    };
    try {
      return lockfile.lockSync(this.options.path, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new StoreError(`cannot lock store ${this.options.path}: ${errorMessage(error)}`, { cause: error });
      }
    }
    try {
      return await lockfile.lock(this.options.path, {
        ...options,
        retries: { retries: 2000, minTimeout: 1, maxTimeout: 10, factor: 1.3, randomize: true },
      });
    } catch (error) {
      throw new StoreError(`cannot lock store ${this.options.path}: ${errorMessage(error)}`, { cause: error });
    }
  }
}

/** Buffers a transaction's records so a throwing function changes nothing. */
class BufferedTransaction implements Transaction {
  readonly records: JournalRecord[] = [];
  private readonly tasks = new Map<string, Task>();
  private readonly sessions = new Map<string, Session>();
  private seq: number;

  constructor(private readonly state: StoreState) {
    this.seq = state.seq;
  }

  getTask(id: string): Task | undefined {
    return this.tasks.get(id) ?? this.state.tasks.get(id);
  }

  putTask(task: Task): void {
    this.tasks.set(task.id, task);
    this.records.push({ task });
  }

  getSession(id: string): Session | undefined {
    return this.sessions.get(id) ?? this.state.sessions.get(id);
  }

  putSession(session: Session): void {
    this.sessions.set(session.id, session);
    this.records.push({ session });
  }

  addInbox(item: Omit<InboxItem, 'seq'>): InboxItem {
    const full: InboxItem = { seq: ++this.seq, ...item };
    this.records.push({ inbox: full });
    return full;
  }
}

function applyRecord(state: StoreState, record: JournalRecord): void {
  if ('task' in record) state.putTask(record.task);
  else if ('inbox' in record) state.addInbox(record.inbox);
  else state.sessions.set(record.session.id, record.session);
}

/**
 * Reads journal lines from byte `from`. Only complete lines count; a torn last line is left for later.
 * Returns null when the journal does not exist.
 */
async function readJournal(
  file: string,
  from: number,
): Promise<{ generation: number | undefined; records: JournalRecord[]; end: number; ino: number } | null> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return null;
  }
  try {
    const { size, ino } = await handle.stat();
    const length = Math.max(0, size - from);
    const buffer = Buffer.alloc(length);
    if (length > 0) await handle.read(buffer, 0, length, from);
    const lastNewline = buffer.lastIndexOf(0x0a);
    const complete = lastNewline === -1 ? '' : buffer.subarray(0, lastNewline).toString('utf8');
    const lines = complete === '' ? [] : complete.split('\n');
    let generation: number | undefined;
    const records: JournalRecord[] = [];
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      // One line, naming the file, the line and the field (the CLI prints it as it is).
      const fail = async (reason: string) => {
        const lineNo = (await linesBefore(handle, from)) + index + 1;
        return new StoreError(`cannot read store journal ${file}: line ${lineNo}: ${reason}; left untouched`);
      };
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        throw await fail(`not JSON (${errorMessage(error)})`);
      }
      if (from === 0 && index === 0) {
        const header = JournalHeaderSchema.safeParse(parsed);
        if (!header.success) throw await fail(`not a journal header (${issueText(header.error, '')})`);
        generation = header.data.generation;
        continue;
      }
      const record = parseRecord(parsed);
      if (!record.ok) throw await fail(record.reason);
      records.push(record.record);
    }
    return { generation, records, end: from + lastNewline + 1, ino };
  } finally {
    await handle.close();
  }
}

const RECORD_SCHEMAS = { task: TaskSchema, inbox: InboxItemSchema, session: SessionSchema };

/** A journal line's record, or why it is not one (naming the field, on one line). */
function parseRecord(value: unknown): { ok: true; record: JournalRecord } | { ok: false; reason: string } {
  const kinds = ['task', 'inbox', 'session'] as const;
  const kind = value !== null && typeof value === 'object' ? kinds.find((k) => Object.hasOwn(value, k)) : undefined;
  if (kind === undefined) return { ok: false, reason: 'not a {"task"}, {"inbox"} or {"session"} record' };
  const parsed = RECORD_SCHEMAS[kind].safeParse((value as Record<string, unknown>)[kind]);
  if (!parsed.success) return { ok: false, reason: issueText(parsed.error, kind) };
  return { ok: true, record: { [kind]: parsed.data } as JournalRecord };
}

/** The first issue of a zod error as `path: message`, the path under `prefix`. */
function issueText(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const where = [prefix, ...(issue?.path ?? [])].filter((p) => p !== '').join('.');
  return `${where || '(record)'}: ${(issue?.message ?? 'invalid').split('\n')[0]}`;
}

/** Newlines in the first `end` bytes of an open file: the line number of a journal offset, for errors. */
async function linesBefore(handle: FileHandle, end: number): Promise<number> {
  if (end === 0) return 0;
  const buffer = Buffer.alloc(end);
  await handle.read(buffer, 0, end, 0);
  let count = 0;
  for (let at = buffer.indexOf(0x0a); at !== -1; at = buffer.indexOf(0x0a, at + 1)) count++;
  return count;
}

/** Releases a lock, ignoring one that was already lost (compromised). */
async function safely(release: () => void | Promise<void>): Promise<void> {
  try {
    await release();
  } catch {
    // nothing left to release
  }
}

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function fsyncPath(target: string): Promise<void> {
  const handle = await fs.open(target, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await handle.close();
  }
}
