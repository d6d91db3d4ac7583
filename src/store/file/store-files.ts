/**
 * The files of a store and the in-memory image kept in step with them: loading the snapshot and journal (an older
 * schema upgraded in memory), reading what other processes appended, appending a batch, compacting. One instance
 * per open store; its caller runs one of these at a time and holds the lock around every write.
 *
 * Compaction never stalls a caller. When the journal (generation G) outgrows the snapshot, the writer first finds
 * the tasks past retention by a walk in slices (`expired-tasks.ts`, no lock) and writes the empty journal of G+1 to
 * a temp file; then, under the lock, drops them, renames the journal to PATH.journal.prev and the new one in its
 * place (two renames and a folder fsync); appends go on in it at once. The snapshot of G+1 is then written in the
 * background from the live in-memory image, yielding to the event loop at every chunk: it may hold changes made
 * after the rotation, which is harmless because a record no newer than the one held is skipped on replay
 * (`StoreState.apply`). Under the lock again it is renamed over the snapshot and the old journal deleted; the old
 * snapshot and journal, held open across their removal, are freed after the lock is let go, a few MB at a time
 * (`free-blocks.ts`); a reader still reading one reads again (`load-files.ts`, `followRotation`). At any moment the
 * files on disk open to every acknowledged change:
 * - snapshot G, journal G: the usual state;
 * - snapshot G, prev G, journal G+1 (compaction running or cut short): snapshot, then prev, then journal;
 * - snapshot G+1, prev G, journal G+1 (cut short after the rename): prev is older than the snapshot and ignored.
 * A store opened for writing with a prev of its snapshot's generation folds everything into a new snapshot at once.
 * Other processes follow a rotation by reading the rest of the old journal (as prev) and the new one from its start.
 */
import { promises as fs, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Low } from 'lowdb';
import { StoreError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { InboxItem } from '../../model/inbox.js';
import { withoutYoungGrowth } from '../../util/young-generation.js';
import type { Change } from '../task-store.js';
import { expiredTasks } from './expired-tasks.js';
import { freeBlocks, holdForFreeing } from './free-blocks.js';
import { JournalAppender, installJournal, prepareJournal, readJournal, resetJournal } from './journal.js';
import { inodeOf, loadFiles } from './load-files.js';
import { SnapshotFile } from './snapshot-file.js';
import type { SnapshotData } from './snapshot-file.js';
import { StoreState } from './store-state.js';
import { EMPTY_SNAPSHOT, sectionsFor } from './snapshot-layout.js';
import { SCHEMA_VERSION, recordSchemas } from './stored-records.js';
import type { JournalRecord } from './stored-records.js';

const DAY_MS = 24 * 3600 * 1000;
/** At most this many task ids in a journal header's `pruned` (~400 KB); more, and readers walk their tasks. */
const PRUNED_IDS_MAX = 10_000;

export interface StoreFilesOptions {
  retentionMs?: number;
  compactMinBytes?: number;
  log: Logger;
  now: () => Date;
  /** Runs `fn` in line with the store's other disk work, holding the lock, after reading what others appended. */
  underLock?: (fn: () => Promise<void>) => Promise<void>;
  /** Runs `fn` in line with the store's other disk work in this process, without the lock. */
  inLine?: (fn: () => Promise<void>) => Promise<void>;
  /** Awaited by a background compaction before it puts its snapshot in place (tests hold it there). */
  beforeCommit?: () => Promise<void>;
  /** Bytes of a replaced snapshot freed per step (tests: small, to see the steps). */
  freeStepBytes?: number;
}

export class StoreFiles {
  state = new StoreState();
  private generation = 0;
  private journalIno = -1;
  /** Bytes of the journal read and applied: always the end of a complete line. */
  private offset = 0;
  private snapshotBytes = 0;
  /** The journal of the previous generation holds records the snapshot lacks (a compaction was cut short). */
  private unfolded = false;
  /** The store is closing: it waits for the compaction under way, which need not leave room for callers. */
  private closing = false;
  /** The background compaction running, if any. */
  private compacting: Promise<void> | null = null;
  private readonly journalPath: string;
  private readonly prevPath: string;
  private readonly snapshotFile: SnapshotFile;
  private readonly appender: JournalAppender;
  private readonly db: Low<SnapshotData>;

  constructor(
    private readonly file: string,
    private readonly options: StoreFilesOptions,
  ) {
    this.journalPath = `${file}.journal`;
    this.prevPath = `${file}.journal.prev`;
    this.appender = new JournalAppender(this.journalPath);
    // Not JSONFilePreset: it silently swaps to memory when NODE_ENV=test. SnapshotFile streams the file.
    this.snapshotFile = new SnapshotFile(file, sectionsFor({}), sectionsFor);
    this.db = new Low<SnapshotData>(this.snapshotFile, EMPTY_SNAPSHOT);
  }

  /** Opens for writing (the caller holds the lock): creates, loads, repairs, upgrades and prunes. */
  async openForWriting(): Promise<void> {
    if (!(await exists(this.file))) {
      if (await exists(this.journalPath)) {
        throw new StoreError(
          `cannot open store ${this.file}: the journal ${this.journalPath} exists without its snapshot; left untouched`,
        );
      }
      await this.writeSnapshot({ ...EMPTY_SNAPSHOT, generation: 1 });
    }
    const { upgraded } = await this.load();
    // Repair: a journal of an older generation (crash mid-compaction) or a missing one is restarted.
    if (this.journalIno === -1) await this.restartJournal();
    if (upgraded || this.unfolded || this.state.prunable(this.cutoff())) await this.compact();
    else if (await exists(this.prevPath)) await fs.rm(this.prevPath, { force: true }); // already in the snapshot
  }

  /** Lets go of the journal held open for appends (the lock is let go: another process may replace it). */
  closeJournal(): void {
    this.appender.close();
  }

  /** Waits for a background compaction to end (closing: what is left of it runs without pauses). */
  async settled(): Promise<void> {
    this.closing = true;
    while (this.compacting) await this.compacting;
  }

  /**
   * Reads snapshot and journal afresh (an older schema upgraded in memory); journalIno -1: none, or an older one.
   * The journal held open is let go: it may have been replaced, and what it held unsynced is read again or gone.
   */
  async load(): Promise<{ upgraded: boolean }> {
    this.appender.close();
    const paths = { file: this.file, journal: this.journalPath, prev: this.prevPath };
    const loaded = await withoutYoungGrowth(() => loadFiles(paths, this.db, this.snapshotFile));
    ({ state: this.state, generation: this.generation, journalIno: this.journalIno, offset: this.offset } = loaded);
    ({ unfolded: this.unfolded, snapshotBytes: this.snapshotBytes } = loaded);
    return { upgraded: loaded.upgraded };
  }

  /** Records were appended without a sync since the journal's last fsync. */
  get unsynced(): boolean {
    return this.appender.unsynced;
  }

  /** Makes what was appended without a sync durable (the caller holds the lock: the journal is still ours). */
  async sync(): Promise<void> {
    await this.appender.sync(this.journalIno);
  }

  /** Whether the journal has bytes we have not read, or was replaced. */
  moved(): boolean {
    try {
      const stat = statSync(this.journalPath);
      return stat.ino !== this.journalIno || stat.size !== this.offset;
    } catch {
      return this.journalIno !== -1;
    }
  }

  /** Applies what other processes appended since the last look; returns the changes it applied, in seq order. */
  async readOthers(): Promise<Change[]> {
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
      this.offset = tail.end;
      return this.applyAll(tail.records);
    }
    if (!stat && this.rotating()) return []; // another process is between moving the journal and starting the next
    const followed = await this.followRotation();
    if (followed) return followed;
    // The journal was replaced otherwise (a store folded at open): reload everything; the changes are what is newer.
    const before = this.state.seq;
    await this.load();
    return this.state.changesSince(before);
  }

  /** Whether the journal we follow is the previous one now (another process started a compaction). */
  private rotating(): boolean {
    return inodeOf(this.prevPath) === this.journalIno;
  }

  /**
   * Another process rotated the journal we follow (it is now PATH.journal.prev): the rest of it, then the new
   * journal from its start. Null when the journal was replaced some other way.
   */
  private async followRotation(): Promise<Change[] | null> {
    if (!this.rotating()) return null;
    const prevIno = this.journalIno;
    const schemas = recordSchemas(SCHEMA_VERSION);
    const rest = await readJournal(this.prevPath, this.offset, schemas);
    const next = await readJournal(this.journalPath, 0, schemas);
    if (!rest || rest.ino !== prevIno || !next || next.generation !== this.generation + 1) return null;
    // Removed since (its compaction is over): it may have been cut short under the read (`free-blocks.ts`).
    if (inodeOf(this.prevPath) !== prevIno) return null;
    const changes = this.applyAll(rest.records);
    if (next.pruneBefore) this.state.prune(next.pruneBefore, next.pruned);
    changes.push(...this.applyAll(next.records));
    this.generation = next.generation;
    this.journalIno = next.ino;
    this.offset = next.end;
    return changes;
  }

  /** Applies records read from a journal; returns the changes they made, in order. */
  private applyAll(records: readonly JournalRecord[]): Change[] {
    const changes: Change[] = [];
    for (const r of records) {
      const change = this.state.apply(r);
      if (change) changes.push(change);
    }
    return changes;
  }

  /**
   * Appends a batch's records (the caller holds the lock) and fsyncs, which covers every earlier write of the
   * journal too; `sync` false: written only (`sync` later). Starts a compaction when the journal outgrew the snapshot.
   */
  async append(records: readonly JournalRecord[], sync = true): Promise<void> {
    if (this.journalIno === -1) await this.restartJournal();
    if (records.length > 0) {
      // The bytes are ours once written: a read meanwhile must not take them for another process's.
      await this.appender.append(this.journalIno, this.offset, records, (end) => (this.offset = end), sync);
    } else if (sync) await this.sync();
    if (this.compacting === null && this.outgrown() && !(await exists(this.prevPath))) {
      this.compacting = this.compactInBackground()
        .catch((error: unknown) => this.options.log.warn('store compaction failed', { error: errorMessage(error) }))
        .finally(() => (this.compacting = null));
    }
  }

  private outgrown(): boolean {
    return this.offset > Math.max(this.options.compactMinBytes ?? 4 * 1024 * 1024, this.snapshotBytes);
  }

  /**
   * A compaction in steps short for callers: the expired records found in slices and the next journal written
   * (no lock); under the lock (two renames and a folder fsync) pruned, the journal moved aside, the next one put in
   * place (naming the cutoff when it prunes); the snapshot written in the background.
   */
  private async compactInBackground(): Promise<void> {
    const cutoff = this.cutoff();
    const expired = await expiredTasks(this.state, cutoff);
    const pruneBefore = expired.length > 0 || this.state.prunableRest(cutoff) ? cutoff : undefined;
    const nextGeneration = this.generation + 1;
    // The tasks to look at, named for the other processes (when they are few): the same ones, and no walk of theirs.
    const pruned = expired.length <= PRUNED_IDS_MAX ? expired : undefined;
    const header = { generation: nextGeneration, pruneBefore, pruned };
    const prepared = await prepareJournal(this.journalPath, header, '.next');
    let generation: number | null = null;
    try {
      await (this.options.underLock ?? ((fn) => fn()))(async () => {
        // Another process may have compacted meanwhile (we followed its rotation), or be compacting (a prev file).
        if (!this.outgrown() || (await exists(this.prevPath))) return;
        // Anything appended without a sync goes with this journal, whose name is about to change.
        if (this.unsynced) await this.sync();
        const next = this.generation + 1;
        const dropped = this.state.prune(cutoff, expired);
        await fs.rename(this.journalPath, this.prevPath);
        // The journal prepared is of another generation (we followed another process's rotation meanwhile), or a
        // record older than the cutoff arrived after the walk and it does not name the cutoff: written afresh.
        const fits = next === nextGeneration && (dropped === 0 || pruneBefore !== undefined);
        const { ino, end } = fits
          ? await installJournal(prepared, this.journalPath)
          : await resetJournal(this.journalPath, { generation: next, pruneBefore: cutoff });
        [this.generation, this.journalIno, this.offset, generation] = [next, ino, end, next];
      });
    } finally {
      await fs.rm(prepared.tmp, { force: true }); // put in place (then gone), or not used
    }
    if (generation !== null) await this.writeInBackground(generation);
  }

  /** Writes the snapshot of `generation` from the live image and puts it in place, unless the store moved on. */
  private async writeInBackground(generation: number): Promise<void> {
    const underLock = this.options.underLock ?? ((fn) => fn());
    for (;;) {
      const state = this.state;
      const rebuilds = state.rebuilds;
      const moved = () => this.generation !== generation;
      const stale = () => moved() || this.state !== state || state.rebuilds !== rebuilds;
      const tmp = await this.snapshotFile.writeTemp(
        {
          schema_version: SCHEMA_VERSION,
          generation,
          seq: state.seq,
          tasks: state.tasks.values(),
          inbox: inboxItems(state),
          sessions: state.sessions.values(),
        },
        stale,
      );
      let done = false;
      // The old snapshot and journal, each as big as the store: removed under the lock, held open, and freed once
      // it is let go, a few MB at a time in line with our journal writes (`free-blocks.ts`).
      const replaced: { handle?: FileHandle } = {};
      let prev: FileHandle | undefined;
      if (tmp !== null) await this.options.beforeCommit?.();
      try {
        await underLock(async () => {
          if (tmp === null || stale()) return;
          await this.snapshotFile.commit(tmp, replaced);
          this.snapshotBytes = (await fs.stat(this.file)).size;
          prev = await holdForFreeing(this.prevPath);
          await fs.rm(this.prevPath, { force: true });
          done = true;
        });
      } finally {
        await this.freeInSteps(replaced.handle);
        await this.freeInSteps(prev);
      }
      if (tmp !== null && !done) {
        const written = await holdForFreeing(tmp); // a whole snapshot, written for nothing
        await fs.rm(tmp, { force: true });
        await this.freeInSteps(written);
      }
      if (done || moved()) break;
      // The image was rebuilt meanwhile (reloaded, re-indexed): write it again.
    }
    this.options.log.debug('store compacted', { generation, tasks: this.state.tasks.size });
  }

  private async freeInSteps(handle: FileHandle | undefined): Promise<void> {
    if (!handle) return;
    await freeBlocks(handle, {
      hurry: () => this.closing,
      ...(this.options.inLine ? { inLine: this.options.inLine } : {}),
      ...(this.options.freeStepBytes ? { stepBytes: this.options.freeStepBytes } : {}),
    });
  }

  /** Rewrites the snapshot (next generation, pruned) and restarts the journal, waiting for it (opening). */
  async compact(): Promise<void> {
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
    await fs.rm(this.prevPath, { force: true });
    this.unfolded = false;
    this.options.log.debug('store compacted', {
      generation: this.generation,
      tasks: this.state.tasks.size,
      pruned: dropped,
    });
  }

  cutoff(): string {
    return new Date(this.options.now().getTime() - (this.options.retentionMs ?? 30 * DAY_MS)).toISOString();
  }

  async writeSnapshot(snapshot: SnapshotData): Promise<void> {
    this.db.data = snapshot;
    try {
      await this.db.write(); // SnapshotFile: temp file, fsync, rename: never a torn file
    } finally {
      this.db.data = EMPTY_SNAPSHOT;
    }
    this.snapshotBytes = (await fs.stat(this.file)).size;
  }

  async restartJournal(): Promise<void> {
    const { ino, end } = await resetJournal(this.journalPath, { generation: this.generation });
    this.journalIno = ino;
    this.offset = end;
  }
}

/** Every inbox item, recipient by recipient (each recipient's in seq order, as loading wants them). */
function* inboxItems(state: StoreState): Generator<InboxItem> {
  for (const list of state.inboxes.values()) yield* list;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
