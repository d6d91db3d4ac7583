/**
 * The files of a store and the in-memory image kept in step with them: loading the snapshot and journal (an older
 * schema upgraded in memory), reading what other processes appended, appending a batch, compacting. One instance
 * per open store; its caller runs one of these at a time and holds the lock around every write.
 */
import { promises as fs, statSync } from 'node:fs';
import { Low } from 'lowdb';
import { z } from 'zod';
import { StoreError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { InboxItem } from '../../model/inbox.js';
import type { Session } from '../../model/session.js';
import type { Task } from '../../model/task.js';
import type { Change } from '../task-store.js';
import { appendJournal, readJournal, resetJournal } from './journal.js';
import { SnapshotFile } from './snapshot-file.js';
import type { SnapshotData } from './snapshot-file.js';
import { StoreState } from './store-state.js';
import { SCHEMA_VERSION, recordSchemas, upgradeRecords } from './stored-records.js';
import type { JournalRecord } from './stored-records.js';

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

export const EMPTY_SNAPSHOT: SnapshotData = {
  schema_version: SCHEMA_VERSION,
  generation: 0,
  seq: 0,
  tasks: [],
  inbox: [],
  sessions: [],
};

export interface StoreFilesOptions {
  retentionMs?: number;
  compactMinBytes?: number;
  log: Logger;
  now: () => Date;
}

export class StoreFiles {
  state = new StoreState();
  private generation = 0;
  private journalIno = -1;
  /** Bytes of the journal read and applied: always the end of a complete line. */
  private offset = 0;
  private snapshotBytes = 0;
  private readonly journalPath: string;
  private readonly db: Low<SnapshotData>;

  constructor(
    private readonly file: string,
    private readonly options: StoreFilesOptions,
  ) {
    this.journalPath = `${file}.journal`;
    // Not JSONFilePreset: it silently swaps to memory when NODE_ENV=test. SnapshotFile streams the file.
    this.db = new Low<SnapshotData>(new SnapshotFile(file, sectionsFor({}), sectionsFor), EMPTY_SNAPSHOT);
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
    if (upgraded || this.state.prunable(this.cutoff())) await this.compact();
  }

  /**
   * Reads snapshot and journal from scratch into a new state (upgrading an older schema in memory). Sets
   * journalIno to -1 when the journal is missing or of an older generation.
   */
  async load(): Promise<{ upgraded: boolean }> {
    const file = this.file;
    for (let attempt = 0; ; attempt++) {
      let snapshot: z.infer<typeof SnapshotHeaderSchema>;
      const state = new StoreState();
      try {
        await this.db.read();
        const parsed = SnapshotHeaderSchema.safeParse(this.db.data);
        this.db.data = EMPTY_SNAPSHOT; // lowdb's copy is not kept: the state below is the store in memory
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
        state.seq = upgradeRecords(state, state.seq, snapshot.schema_version);
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
    await this.load();
    return this.state.changesSince(before);
  }

  /** Appends a batch's records (the caller holds the lock); compacts when the journal outgrew the snapshot. */
  async append(records: readonly JournalRecord[]): Promise<void> {
    if (this.journalIno === -1) await this.restartJournal();
    if (records.length > 0) {
      // The bytes are ours once written: a read meanwhile must not take them for another process's.
      await appendJournal(this.journalPath, this.offset, records, (end) => (this.offset = end));
    }
    if (this.offset > Math.max(this.options.compactMinBytes ?? 4 * 1024 * 1024, this.snapshotBytes)) {
      await this.compact();
    }
  }

  /** Rewrites the snapshot (next generation, pruned) and restarts the journal. Caller holds the lock. */
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
    const { ino, end } = await resetJournal(this.journalPath, this.generation);
    this.journalIno = ino;
    this.offset = end;
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
