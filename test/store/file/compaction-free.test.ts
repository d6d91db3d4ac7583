/**
 * The snapshot a compaction replaces is freed in steps, after the lock is let go (one close of a 120 MB file stalls
 * the journal fsyncs behind it), and a reader that was reading it meanwhile (another process loading the store) reads
 * the new one instead of what was left of the old. Counted, not timed: the old file's size seen at every turn of the
 * event loop, and the records a reader read.
 */
import { copyFileSync, fstatSync, ftruncateSync, openSync, closeSync, renameSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { freeBlocks } from '../../../src/store/file/free-blocks.js';
import { LowdbTaskStore } from '../../../src/store/file/file-task-store.js';
import { TaskReader } from '../../../src/store/file/task-reader.js';
import { eachTempStore } from '../../helpers/core.js';
import { gate } from '../../helpers/gate.js';
import { task } from '../../helpers/records.js';

const SEED = 3000;
const STEP = 64 * 1024;

describe('file store compaction, the replaced snapshot', () => {
  let dir: string;
  let file: string;
  eachTempStore((f, d) => ([file, dir] = [f, d]));

  /**
   * A store whose snapshot holds SEED tasks and whose next write starts a compaction that waits at the gate before
   * committing.
   */
  async function compactingStore(g: ReturnType<typeof gate>) {
    const seed = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false, compactMinBytes: 1 });
    await seed.transact((tx) => {
      for (let i = 0; i < SEED; i++) tx.putTask(task(`seed-${i}`));
    });
    await seed.close(); // compacted: the tasks are in the snapshot
    const store = await LowdbTaskStore.open({
      path: file,
      pollMs: 0,
      watch: false,
      compactMinBytes: 1,
      beforeCompactionCommit: g.wait,
    });
    // The store's files are private: reached here so that the journal counts as outgrown at once, and for small
    // steps (a few MB by default: one or two for this file).
    const files = (store as unknown as { files: { snapshotBytes: number; options: { freeStepBytes: number } } }).files;
    files.snapshotBytes = 0;
    files.options.freeStepBytes = STEP;
    await store.transact((tx) => tx.putTask(task('trigger')));
    await g.reached;
    return store;
  }

  it('is cut shorter a step at a time, each step in a turn of its own, until nothing is left', async () => {
    const g = gate();
    const store = await compactingStore(g);
    const old = openSync(file, 'r'); // the replaced snapshot, as a reader still holding it sees it
    const size = fstatSync(old).size;
    expect(size).toBeGreaterThan(8 * STEP);
    // Each cut as the store makes it, with the turn of the event loop it is made in. (Not the file's size seen at
    // each turn: a cut made in the thread pool can land before a slow turn looks, and look like two in one.)
    let turn = 0;
    let running = true;
    const ticker = (async () => {
      while (running) {
        turn++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const cuts: Array<{ length: number; turn: number }> = [];
    const probe = await open(file, 'r');
    const handles = Object.getPrototypeOf(probe) as { truncate(this: FileHandle, length?: number): Promise<void> };
    await probe.close();
    const truncate = handles.truncate;
    const spy = vi.spyOn(handles, 'truncate').mockImplementation(function (this: FileHandle, length?: number) {
      cuts.push({ length: length ?? 0, turn });
      return truncate.call(this, length);
    });
    try {
      g.open();
      await store.close(); // waits for the compaction, the freeing included
    } finally {
      running = false;
      spy.mockRestore();
    }
    await ticker;
    expect(fstatSync(old).size).toBe(0);
    closeSync(old);
    // A step at a time down to nothing, no two cuts in one turn.
    expect(cuts.length).toBe(Math.ceil(size / STEP));
    cuts.forEach((cut, i) => {
      expect((i === 0 ? size : cuts[i - 1]!.length) - cut.length).toBeLessThanOrEqual(STEP);
      if (i > 0) expect(cut.turn).toBeGreaterThan(cuts[i - 1]!.turn);
    });
    expect(cuts.at(-1)?.length).toBe(0);
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    expect(reopened.size).toBe(SEED + 1);
    await reopened.close();
  });

  it('a reader mid-read of the snapshot when it is replaced and cut short reads the new one, losing nothing', async () => {
    const g = gate();
    const store = await compactingStore(g);
    // The next snapshot waits as a complete temp file; the reader gets to a third of the old one, and then what the
    // compaction does is done under it: the new snapshot renamed over the old, and the old cut to nothing.
    const tmp = (await readdir(dir)).find((name) => name.startsWith('.store.json.') && name.endsWith('.tmp'));
    expect(tmp).toBeDefined();
    const held = openSync(file, 'r+');
    const parse = TaskReader.safeParse.bind(TaskReader);
    let reads = 0;
    const spy = vi.spyOn(TaskReader, 'safeParse').mockImplementation((value) => {
      if (++reads === SEED / 3) {
        copyFileSync(path.join(dir, tmp as string), `${file}.next`);
        renameSync(`${file}.next`, file);
        ftruncateSync(held, 0);
      }
      return parse(value);
    });
    try {
      const reader = await LowdbTaskStore.open({ path: file, readOnly: true, pollMs: 0, watch: false });
      expect(reader.size).toBe(SEED + 1);
      expect((await reader.getTask(`seed-${SEED - 1}`))?.id).toBe(`seed-${SEED - 1}`);
      expect((await reader.getTask('trigger'))?.id).toBe('trigger');
      expect(reads).toBeGreaterThan(SEED + SEED / 3); // read again, whole
      await reader.close();
    } finally {
      spy.mockRestore();
      closeSync(held);
    }
    g.open();
    await store.close();
  });
});

describe('freeBlocks', () => {
  let file: string;
  eachTempStore((f) => (file = f));

  it('makes each cut in line with the store’s disk work, and closes a read-only handle at once', async () => {
    const writable = await open(file, 'w+');
    await writable.truncate(10 * STEP + 1);
    let inLine = 0;
    const cuts = await freeBlocks(writable, { stepBytes: STEP, inLine: (fn) => (inLine++, fn()) });
    expect(cuts).toBe(11);
    expect(inLine).toBe(11);
    const readOnly = await open(file, 'r');
    expect(await freeBlocks(readOnly, { stepBytes: STEP })).toBe(0);
    await expect(readOnly.stat()).rejects.toThrow(); // closed
  });
});
