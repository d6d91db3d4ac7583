/**
 * The snapshot and the journal a compaction replaces are freed in steps, after the lock is let go (one removal of a
 * 120 MB file stalls the journal fsyncs behind it), and a reader that was reading one meanwhile (another process
 * loading the store, or following the journal) reads again instead of taking what was left. Counted, not timed: the
 * cuts as the store makes them, with their turns of the event loop, and the records a reader read.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
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

/** FileHandle's prototype, where its methods are spied on. */
async function fileHandles(): Promise<{
  truncate(this: FileHandle, length?: number): Promise<void>;
  read(this: FileHandle, ...args: unknown[]): Promise<unknown>;
}> {
  const probe = await open(process.execPath, 'r');
  await probe.close();
  return Object.getPrototypeOf(probe) as Awaited<ReturnType<typeof fileHandles>>;
}

describe('file store compaction, the files it replaces', () => {
  let dir: string;
  let file: string;
  eachTempStore((f, d) => ([file, dir] = [f, d]));

  /**
   * A store whose snapshot holds SEED tasks and whose next write starts a compaction that waits at the gate before
   * committing.
   */
  async function compactingStore(g: ReturnType<typeof gate>, journaled = 0, beforeTrigger?: () => Promise<void>) {
    const seed = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false, compactMinBytes: 1 });
    await seed.transact((tx) => {
      for (let i = 0; i < SEED; i++) tx.putTask(task(`seed-${i}`));
    });
    await seed.close(); // compacted: the tasks are in the snapshot
    const store = await LowdbTaskStore.open({
      path: file,
      pollMs: 0,
      watch: false,
      compactMinBytes: 2 ** 40,
      beforeCompactionCommit: g.wait,
    });
    // `journaled` tasks more, in the journal the compaction moves aside (to .prev).
    for (let i = 0; i < journaled; i += 100) {
      await store.transact((tx) => {
        for (let j = i; j < i + 100; j++) tx.putTask(task(`journaled-${j}`));
      });
    }
    // The store's files are private: reached here so that the journal counts as outgrown at once, and for small
    // steps (a few MB by default: one or two for this file).
    const files = (
      store as unknown as {
        files: { snapshotBytes: number; options: { freeStepBytes: number; compactMinBytes: number } };
      }
    ).files;
    files.snapshotBytes = 0;
    files.options.compactMinBytes = 1;
    files.options.freeStepBytes = STEP;
    await beforeTrigger?.();
    await store.transact((tx) => tx.putTask(task('trigger')));
    await g.reached;
    return store;
  }

  /** Each `truncate` of a file handle while `fn` runs: the inode of its file, the length, the event-loop turn. */
  async function cutsDuring(fn: () => Promise<void>): Promise<Array<{ ino: number; length: number; turn: number }>> {
    // Not the file's size seen at each turn: a cut made in the thread pool can land before a slow turn looks, and
    // look like two in one.
    let turn = 0;
    let running = true;
    const ticker = (async () => {
      while (running) {
        turn++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const cuts: Array<{ ino: number; length: number; turn: number }> = [];
    const handles = await fileHandles();
    const truncate = handles.truncate;
    const spy = vi.spyOn(handles, 'truncate').mockImplementation(function (this: FileHandle, length?: number) {
      cuts.push({ ino: fstatSync(this.fd).ino, length: length ?? 0, turn });
      return truncate.call(this, length);
    });
    try {
      await fn();
    } finally {
      running = false;
      spy.mockRestore();
    }
    await ticker;
    return cuts;
  }

  /**
   * Holds `target` open (several steps long) while `fn` runs, then checks that it was cut a step at a time down to
   * nothing, no two cuts in one turn.
   */
  async function expectFreedInSteps(target: string, fn: () => Promise<void>): Promise<void> {
    const held = openSync(target, 'r');
    const { size, ino } = fstatSync(held);
    expect(size).toBeGreaterThan(8 * STEP);
    const cuts = (await cutsDuring(fn)).filter((cut) => cut.ino === ino);
    expect(fstatSync(held).size).toBe(0);
    closeSync(held);
    expect(cuts.length).toBe(Math.ceil(size / STEP));
    cuts.forEach((cut, i) => {
      expect((i === 0 ? size : cuts[i - 1]!.length) - cut.length).toBeLessThanOrEqual(STEP);
      if (i > 0) expect(cut.turn).toBeGreaterThan(cuts[i - 1]!.turn);
    });
    expect(cuts.at(-1)?.length).toBe(0);
  }

  /** The store opened again holds `tasks` tasks. */
  async function expectReopened(tasks: number): Promise<void> {
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    expect(reopened.size).toBe(tasks);
    await reopened.close();
  }

  /** The next snapshot, waiting at the gate as a complete temp file. */
  async function tempSnapshot(): Promise<string> {
    const tmp = (await readdir(dir)).find((name) => name.startsWith('.store.json.') && name.endsWith('.tmp'));
    expect(tmp).toBeDefined();
    return path.join(dir, tmp as string);
  }

  const prevPath = () => `${file}.journal.prev`;

  it('is cut shorter a step at a time, each step in a turn of its own, until nothing is left', async () => {
    const g = gate();
    const store = await compactingStore(g);
    // The replaced snapshot, as a reader still holding it sees it; the close waits for the compaction, the freeing
    // included.
    await expectFreedInSteps(file, async () => {
      g.open();
      await store.close();
    });
    await expectReopened(SEED + 1);
  });

  it('the journal it folded is removed, then cut shorter a step at a time, each step in a turn of its own', async () => {
    const g = gate();
    const store = await compactingStore(g, 2000);
    // The journal moved aside, as a reader holding it sees it.
    await expectFreedInSteps(prevPath(), async () => {
      g.open();
      await store.close();
    });
    expect(existsSync(prevPath())).toBe(false);
    await expectReopened(SEED + 2000 + 1);
  });

  it('a snapshot written for nothing (the image was rebuilt meanwhile) is removed, then cut shorter in steps', async () => {
    const g = gate();
    const store = await compactingStore(g);
    const tmp = await tempSnapshot();
    // Rebuilt as a reload or an upgrade rebuilds it: the snapshot waiting at the gate is of the image before.
    (store as unknown as { files: { state: { reindex(): void } } }).files.state.reindex();
    await expectFreedInSteps(tmp, async () => {
      g.open();
      await store.close(); // the snapshot written again, from the rebuilt image, and put in place
    });
    await expectReopened(SEED + 1);
  });

  it('a reader mid-read of the snapshot when it is replaced and cut short reads the new one, losing nothing', async () => {
    const g = gate();
    const store = await compactingStore(g);
    // The next snapshot waits as a complete temp file; the reader gets to a third of the old one, and then what the
    // compaction does is done under it: the new snapshot renamed over the old, and the old cut to nothing.
    const tmp = await tempSnapshot();
    const held = openSync(file, 'r+');
    const parse = TaskReader.safeParse.bind(TaskReader);
    let reads = 0;
    const spy = vi.spyOn(TaskReader, 'safeParse').mockImplementation((value) => {
      if (++reads === SEED / 3) {
        copyFileSync(tmp, `${file}.next`);
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

  /**
   * Before the first read of the journal moved aside, does under the reader what the compaction does once its
   * snapshot is written: that snapshot renamed over the old one, the journal removed, and, held open, cut short (to
   * its first line, the header: what is left looks like a journal).
   */
  async function finishOnFirstRead(): Promise<{ mockRestore(): void }> {
    const tmp = await tempSnapshot();
    const { ino } = statSync(prevPath());
    const header = readFileSync(prevPath(), 'utf8').indexOf('\n') + 1;
    const handles = await fileHandles();
    const read = handles.read;
    let done = false;
    return vi.spyOn(handles, 'read').mockImplementation(function (this: FileHandle, ...args: unknown[]) {
      if (!done && fstatSync(this.fd).ino === ino) {
        done = true;
        copyFileSync(tmp, `${file}.next`);
        renameSync(`${file}.next`, file);
        const held = openSync(prevPath(), 'r+');
        rmSync(prevPath());
        ftruncateSync(held, header);
        closeSync(held);
      }
      return read.apply(this, args);
    });
  }

  it('a reader loading the store when it is removed and cut short reads again, losing nothing', async () => {
    const g = gate();
    const store = await compactingStore(g, 200);
    const spy = await finishOnFirstRead();
    try {
      const reader = await LowdbTaskStore.open({ path: file, readOnly: true, pollMs: 0, watch: false });
      expect(reader.size).toBe(SEED + 200 + 1);
      expect((await reader.getTask('journaled-199'))?.id).toBe('journaled-199');
      await reader.close();
    } finally {
      spy.mockRestore();
    }
    g.open();
    await store.close();
  });

  it('another process following the journal when it is removed and cut short reads again, losing nothing', async () => {
    const g = gate();
    let other: LowdbTaskStore | undefined;
    const store = await compactingStore(g, 200, async () => {
      other = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
      expect(other.size).toBe(SEED + 200);
    });
    // The other process is behind by the old journal's last record, 'trigger', and follows the rotation.
    const spy = await finishOnFirstRead();
    try {
      expect((await other!.getTask('trigger'))?.id).toBe('trigger');
      expect(other!.size).toBe(SEED + 200 + 1);
    } finally {
      spy.mockRestore();
    }
    await other!.close();
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
