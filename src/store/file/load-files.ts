/**
 * Loading a store's files into a fresh image: the snapshot, then the previous journal while it still counts (a
 * compaction under way or cut short), then the journal; an older schema upgraded in memory. Read again when another
 * process replaced a file meanwhile (a compaction's new journal before its snapshot, or a snapshot replaced and cut
 * short under the reader, `free-blocks.ts`). See `store-files.ts` for the states the files may be in.
 */
import { promises as fs, statSync } from 'node:fs';
import type { Low } from 'lowdb';
import { z } from 'zod';
import { StoreError, errorMessage } from '../../errors.js';
import type { InboxItem } from '../../model/inbox.js';
import type { Session } from '../../model/session.js';
import type { Task } from '../../model/task.js';
import { readJournal } from './journal.js';
import type { SnapshotData, SnapshotFile } from './snapshot-file.js';
import { EMPTY_SNAPSHOT, NewerSchemaError, SnapshotHeaderSchema } from './snapshot-layout.js';
import { StoreState } from './store-state.js';
import { SCHEMA_VERSION, recordSchemas, upgradeRecords } from './stored-records.js';

/** Reads of a store caught between another process's steps before giving up. */
const ATTEMPTS = 5;

export interface StorePaths {
  file: string;
  journal: string;
  prev: string;
}

export interface LoadedFiles {
  state: StoreState;
  /** The generation of the journal followed (the snapshot's when there is no current journal). */
  generation: number;
  /** The inode of the journal followed; -1: none, or an older one. */
  journalIno: number;
  /** Bytes of the journal read and applied. */
  offset: number;
  /** The previous journal holds records the snapshot lacks (a compaction was cut short). */
  unfolded: boolean;
  snapshotBytes: number;
  /** The snapshot was of an older schema version. */
  upgraded: boolean;
}

/** Reads snapshot and journal afresh into a new image. An unreadable file throws a one-line `StoreError`. */
export async function loadFiles(
  paths: StorePaths,
  db: Low<SnapshotData>,
  snapshotFile: SnapshotFile,
): Promise<LoadedFiles> {
  const { file } = paths;
  for (let attempt = 1; ; attempt++) {
    let snapshot: z.infer<typeof SnapshotHeaderSchema>;
    let snapshotBytes: number;
    const state = new StoreState();
    try {
      await db.read();
      const parsed = SnapshotHeaderSchema.safeParse(db.data);
      db.data = EMPTY_SNAPSHOT; // lowdb's copy is not kept: the state below is the store in memory
      if (!parsed.success) throw new Error(z.prettifyError(parsed.error).split('\n').slice(0, 3).join('; '));
      snapshot = parsed.data;
      for (const t of snapshot.tasks as Task[]) state.putTask(t);
      for (const i of snapshot.inbox as InboxItem[]) state.addInbox(i);
      for (const s of snapshot.sessions as Session[]) state.sessions.set(s.id, s);
      snapshotBytes = (await fs.stat(file)).size;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      if (error instanceof NewerSchemaError) {
        throw new StoreError(
          `store ${file} has schema version ${error.version}, newer than this Baton's ${SCHEMA_VERSION}; upgrade Baton; the file was left untouched`,
        );
      }
      // A compaction replaced the snapshot while we read it, and its blocks are freed by cutting it shorter
      // (`free-blocks.ts`): what we read was cut short. The new one is complete: read again.
      if (attempt < ATTEMPTS && replaced(file, snapshotFile.readIno)) continue;
      throw new StoreError(`cannot read store ${file}: ${errorMessage(error)}; the file was left untouched`, {
        cause: error,
      });
    }
    state.seq = Math.max(state.seq, snapshot.seq);

    const schemas = recordSchemas(snapshot.schema_version);
    const prev = await readJournal(paths.prev, 0, schemas);
    const journal = await readJournal(paths.journal, 0, schemas);
    const base = snapshot.generation;
    // The previous journal counts while it is of the snapshot's generation: a compaction has not put its
    // snapshot in place yet (or was cut short).
    const prevCounts = prev !== null && prev.generation === base;
    if (
      journal?.generation !== undefined &&
      journal.generation > base &&
      !(journal.generation === base + 1 && prevCounts)
    ) {
      // Another process is compacting: its new journal appeared before we read its snapshot. Read again.
      if (attempt < ATTEMPTS) continue;
      // Still newer: an older snapshot was put back (a restore from backup). The journal holds changes the
      // snapshot has never seen, and rewriting it would lose them.
      throw new StoreError(
        `cannot open store ${file}: its journal ${paths.journal} is of generation ${journal.generation}, ` +
          `newer than the snapshot's ${snapshot.generation} (was an older snapshot restored?); both files were left untouched`,
      );
    }
    if (prevCounts) {
      // Removed since: its compaction put the new snapshot in place, and it may have been cut short under the read
      // (`free-blocks.ts`). Read again.
      if (inodeOf(paths.prev) !== prev.ino) {
        if (attempt < ATTEMPTS) continue;
        throw new StoreError(`cannot read store ${file}: it was compacted under each of ${ATTEMPTS} reads`);
      }
      for (const r of prev.records) state.apply(r);
    }
    const current = journal !== null && journal.generation !== undefined && journal.generation >= base;
    if (current) {
      if (journal.generation !== base && journal.pruneBefore) state.prune(journal.pruneBefore, journal.pruned);
      for (const r of journal.records) state.apply(r);
    }
    const upgraded = snapshot.schema_version < SCHEMA_VERSION;
    if (upgraded) {
      state.seq = upgradeRecords(state, state.seq, snapshot.schema_version);
      state.reindex();
    } else if (!state.inCreationOrder()) {
      state.reindex();
    }
    return {
      state,
      generation: current ? (journal.generation as number) : base,
      journalIno: current ? journal.ino : -1,
      offset: current ? journal.end : 0,
      unfolded: prevCounts,
      snapshotBytes,
      upgraded,
    };
  }
}

/** Whether the path names another file than the one read (replaced meanwhile). */
function replaced(file: string, readIno: number): boolean {
  const ino = inodeOf(file);
  return ino !== null && ino !== readIno;
}

/** The inode of the file the path names now; null when there is none. */
export function inodeOf(file: string): number | null {
  try {
    return statSync(file).ino;
  } catch {
    return null;
  }
}
