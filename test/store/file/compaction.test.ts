/**
 * Compaction off the critical path: while the next snapshot is being written (held before it is put in place),
 * transactions are acknowledged and reads answered; every state a kill -9 can leave on disk during a compaction
 * opens to every acknowledged change; another process follows the journal's rotation without a reload.
 */
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Session } from '../../../src/model/session.js';
import { LowdbTaskStore } from '../../../src/store/file/file-task-store.js';
import type { StoreState } from '../../../src/store/file/store-state.js';
import { eachTempStore } from '../../helpers/core.js';
import { gate } from '../../helpers/gate.js';
import { task } from '../../helpers/records.js';

const DAY = 24 * 3600 * 1000;

const session = (id: string, at: string): Session => ({
  id,
  agent_id: 'bob',
  owner: 'alice',
  messages: [],
  notes: {},
  notes_from: null,
  created_at: at,
  updated_at: at,
  seq: 0,
});

const generation = async (file: string) =>
  (JSON.parse((await readFile(file, 'utf8')).split('\n')[0] + ']}') as { generation: number }).generation;

describe('file store compaction', () => {
  let dir: string;
  let file: string;
  eachTempStore((f, d) => ([file, dir] = [f, d]));

  /** Opens the store so that its next write starts a compaction, which waits at `g` before committing. */
  const openCompacting = (g: ReturnType<typeof gate>, options: { watch?: boolean; now?: () => Date } = {}) =>
    LowdbTaskStore.open({ path: file, pollMs: 0, compactMinBytes: 1, beforeCompactionCommit: g.wait, ...options });

  /** A store with 200 tasks whose next write starts a compaction that waits at the gate before committing. */
  async function compactingStore(g: ReturnType<typeof gate>) {
    const seed = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    await seed.transact((tx) => {
      for (let i = 0; i < 200; i++) tx.putTask(task(`seed-${i}`));
    });
    await seed.close();
    const store = await openCompacting(g);
    await store.transact((tx) => tx.putTask(task('trigger')));
    await g.reached;
    return store;
  }

  it('acknowledges writes and answers reads while the next snapshot is being written', async () => {
    const g = gate();
    const store = await compactingStore(g);
    expect(await readdir(dir)).toContain('store.json.journal.prev');
    const before = await generation(file);
    for (let i = 0; i < 5; i++) await store.transact((tx) => tx.putTask(task(`during-${i}`)));
    expect((await store.getTask('during-4'))?.id).toBe('during-4');
    expect((await store.findTasks({ limit: 2 })).tasks.map((t) => t.id)).toEqual(['during-4', 'during-3']);
    // Still compacting: the snapshot on disk is the old one.
    expect(await generation(file)).toBe(before);
    expect(await readdir(dir)).toContain('store.json.journal.prev');
    g.open();
    await store.close();
    expect(await generation(file)).toBe(before + 1);
    expect(await readdir(dir)).not.toContain('store.json.journal.prev');
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    expect(reopened.size).toBe(206);
    await reopened.close();
  });

  it('opens to every acknowledged change from each state a kill -9 mid-compaction can leave', async () => {
    const g = gate();
    const store = await compactingStore(g);
    for (let i = 0; i < 5; i++) await store.transact((tx) => tx.putTask(task(`during-${i}`)));
    await store.transact((tx) => tx.putTask(task('seed-0', { description: 'changed during compaction' })));
    const names = ['store.json', 'store.json.journal', 'store.json.journal.prev'];
    // Killed while the snapshot was being written: old snapshot, previous journal, new journal.
    const writing = path.join(dir, 'writing');
    // Killed between moving the old journal aside and starting the new one: no journal at all.
    const rotating = path.join(dir, 'rotating');
    for (const copy of [writing, rotating]) {
      await mkdir(copy);
      for (const name of names) await copyFile(path.join(dir, name), path.join(copy, name));
    }
    await rm(path.join(rotating, 'store.json.journal'));
    g.open();
    await store.close();
    // Killed after the new snapshot was put in place, before the old journal was deleted.
    const renamed = path.join(dir, 'renamed');
    await mkdir(renamed);
    for (const name of names.slice(0, 2)) await copyFile(path.join(dir, name), path.join(renamed, name));
    await copyFile(path.join(writing, 'store.json.journal.prev'), path.join(renamed, 'store.json.journal.prev'));

    for (const [folder, count] of [
      [writing, 206],
      [rotating, 201],
      [renamed, 206],
    ] as const) {
      const at = path.join(folder, 'store.json');
      const reopened = await LowdbTaskStore.open({ path: at, pollMs: 0 });
      expect(reopened.size, folder).toBe(count);
      expect((await reopened.getTask('trigger'))?.id).toBe('trigger');
      if (count === 206) expect((await reopened.getTask('seed-0'))?.description).toBe('changed during compaction');
      await reopened.transact((tx) => tx.putTask(task('after')));
      await reopened.close();
      expect(await readdir(folder)).not.toContain('store.json.journal.prev');
      const again = await LowdbTaskStore.open({ path: at, pollMs: 0 });
      expect(again.size).toBe(count + 1);
      await again.close();
    }
  });

  it('another process follows the rotation and hears each change once, without reloading', async () => {
    const seed = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    await seed.transact((tx) => tx.putTask(task('before')));
    await seed.close();
    const other = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    const reloads = vi.spyOn((other as unknown as { files: { load(): Promise<unknown> } }).files, 'load');
    const heard: string[] = [];
    other.subscribe(await other.headSeq(), (c) => heard.push(c.kind === 'task' ? c.task.id : c.kind));
    const g = gate();
    const store = await openCompacting(g);
    await store.transact((tx) => tx.putTask(task('x1'))); // the old journal's last record, then the rotation
    await g.reached;
    await store.transact((tx) => tx.putTask(task('x2'))); // the new journal's first
    expect((await other.getTask('x2'))?.id).toBe('x2');
    g.open();
    await store.close();
    await other.transact((tx) => tx.putTask(task('x3')));
    expect(heard).toEqual(['x1', 'x2', 'x3']);
    expect(reloads).not.toHaveBeenCalled();
    expect(other.size).toBe(4);
    await other.close();
  });
  it('another process drops what the compaction pruned, when only sessions and inbox items expired', async () => {
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    const seed = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    await seed.transact((tx) => {
      tx.putTask(task('kept'));
      tx.putSession(session('old', old));
      tx.putSession(session('recent', new Date().toISOString()));
      tx.addInbox({
        recipient: 'bob',
        event: 'message.received',
        from: 'alice',
        task_id: null,
        content: 'old',
        created_at: old,
      });
    });
    await seed.close();
    const other = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    expect((await other.getSession('old'))?.id).toBe('old');
    const reloads = vi.spyOn((other as unknown as { files: { load(): Promise<unknown> } }).files, 'load');
    const g = gate();
    const store = await openCompacting(g, { watch: false });
    await store.transact((tx) => tx.putTask(task('trigger'))); // the rotation prunes; the new journal says so
    await g.reached;
    // The other process follows the rotation (no reload, no new snapshot yet): it prunes as the journal says.
    expect(await other.getSession('old')).toBeUndefined();
    expect((await other.getSession('recent'))?.id).toBe('recent');
    expect(await other.inbox('bob', 0, 10)).toEqual([]);
    expect(reloads).not.toHaveBeenCalled();
    g.open();
    await store.close();
    expect(other.size).toBe(2);
    await other.close();
  });
  it('another process prunes only the tasks the new journal names, without a walk over its store', async () => {
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    const seed = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    await seed.transact((tx) => {
      for (let i = 0; i < 2000; i++) tx.putTask(task(`seed-${i}`));
      for (let i = 0; i < 10; i++) tx.putTask(task(`old-${i}`, { status: 'completed', finished_at: old }));
    });
    await seed.close();
    // Both opened 20 days back (nothing past retention yet, so no pruning at open), then brought to now.
    let at = Date.now() - 20 * DAY;
    const now = () => new Date(at);
    const other = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false, now });
    // Every task the other process holds counts the reads of its status (the test of expiry reads it first).
    let reads = 0;
    const state = (other as unknown as { files: { state: StoreState } }).files.state;
    for (const stored of state.tasks.values()) {
      const status = stored.status;
      Object.defineProperty(stored, 'status', { get: () => (reads++, status), enumerable: true, configurable: true });
    }
    const g = gate();
    const store = await openCompacting(g, { watch: false, now });
    at = Date.now();
    await store.transact((tx) => tx.putTask(task('trigger')));
    await g.reached;
    reads = 0;
    expect(await other.getTask('old-0')).toBeUndefined(); // followed the rotation: pruned
    expect(reads).toBeLessThanOrEqual(20);
    expect(other.size).toBe(2001);
    g.open();
    await store.close();
    await other.close();
  });
});
