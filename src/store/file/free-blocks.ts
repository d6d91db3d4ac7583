/**
 * Frees the blocks of a large file a compaction is done with (the replaced snapshot, the previous journal, a
 * snapshot written for nothing) in steps. Removing or closing the last handle of a 120 MB file frees its blocks in
 * one call (~30-40 ms on ext4 at 100k tasks, most of a second at 1M), and a journal fdatasync meanwhile waits for
 * it: a caller's write stalls. Holding the file open across its removal (`holdForFreeing`), then cutting it shorter
 * a few MB at a time, each cut in line with the store's other disk work in this process (so that none overlaps one
 * of its journal fsyncs) and a pause between cuts, spreads that work out; the close then frees nothing. Readers of
 * the old file (another process still loading it, or following a rotation) see it end early, find it replaced or
 * gone, and read again (`load-files.ts`, `store-files.ts`).
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as pause } from 'node:timers/promises';

/**
 * Bytes freed per cut. A cut's cost grows with its size (measured on ext4 with online discard at 100k tasks, p50:
 * 1 MB 0.55 ms, 4 MB 1.3 ms, 16 MB 4-5 ms), and the batch queued behind one waits that long.
 */
export const FREE_STEP_BYTES = 2 * 1024 * 1024;
/** Between two cuts: room for the batches that queued behind one. */
const PAUSE_MS = 2;

export interface FreeBlocksOptions {
  stepBytes?: number;
  /** Runs a cut in line with the store's other disk work (without the lock). */
  inLine?: (fn: () => Promise<void>) => Promise<void>;
  /** True once nobody waits on the store's writes any more (closing): no pauses between the cuts left. */
  hurry?: () => boolean;
}

/** Opens `file` to free its blocks with `freeBlocks` once removed: for writing if it may be; undefined if not there. */
export async function holdForFreeing(file: string): Promise<FileHandle | undefined> {
  return fs.open(file, 'r+').catch(() => fs.open(file, 'r').catch(() => undefined));
}

/** Cuts the file of `handle` to nothing a step at a time, then closes it; the cuts made (0: closed at once). */
export async function freeBlocks(handle: FileHandle, options: FreeBlocksOptions = {}): Promise<number> {
  const step = options.stepBytes ?? FREE_STEP_BYTES;
  const inLine = options.inLine ?? ((fn) => fn());
  let cuts = 0;
  try {
    let { size } = await handle.stat();
    while (size > 0) {
      size = Math.max(0, size - step);
      await inLine(() => handle.truncate(size));
      cuts++;
      if (size > 0 && !options.hurry?.()) await pause(PAUSE_MS);
    }
  } catch {
    // Held read-only (not ours to write) or gone: the close below frees it in one call, as it would have anyway.
  } finally {
    await handle.close();
  }
  return cuts;
}
