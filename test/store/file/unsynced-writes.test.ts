/**
 * `transact(fn, {durable: false})` on the file store: written at once, made durable by the next durable batch (one
 * fsync for both) or before the lock is let go, and told to subscribers only then, in seq order.
 */
import { describe, expect, it } from 'vitest';
import { LowdbTaskStore } from '../../../src/store/file/file-task-store.js';
import type { Change } from '../../../src/store/task-store.js';
import { eachTempStore } from '../../helpers/core.js';
import { task } from '../../helpers/records.js';

describe('LowdbTaskStore writes that are not durable on their own', () => {
  let file: string;
  eachTempStore((f) => (file = f));

  it('share the fsync of the next durable write, and subscribers hear both then, in order', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    const heard: Change[] = [];
    store.subscribe(await store.headSeq(), (change) => heard.push(change));
    const before = { ...store.writes };

    await store.transact((tx) => tx.putTask(task('a')), { durable: false });
    // Written and readable in this process, but nobody has been told yet.
    expect((await store.getTask('a'))?.id).toBe('a');
    await Promise.resolve();
    expect(heard).toEqual([]);

    await store.transact((tx) => tx.putTask(task('b')));
    expect(store.writes.batches - before.batches).toBe(2);
    expect(store.writes.synced - before.synced).toBe(1);
    expect(store.writes.flushes - before.flushes).toBe(0);
    expect(heard.map((c) => (c.kind === 'task' ? c.task.id : c.kind))).toEqual(['a', 'b']);
    await store.close();

    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    expect(reopened.size).toBe(2);
    await reopened.close();
  });

  it('are made durable, and told, before the lock is let go when no durable write follows', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    const heard: string[] = [];
    store.subscribe(await store.headSeq(), (change) => change.kind === 'task' && heard.push(change.task.id));
    const before = { ...store.writes };
    await store.transact((tx) => tx.putTask(task('alone')), { durable: false });
    // The lock's lease lapses after a short idle time; its sync comes first.
    await expect.poll(() => heard).toEqual(['alone']);
    expect(store.writes.synced - before.synced).toBe(0);
    expect(store.writes.flushes - before.flushes).toBe(1);
    await store.close();
  });

  it('are made durable when the store closes', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    await store.transact((tx) => tx.putTask(task('last')), { durable: false });
    const before = store.writes.flushes;
    await store.close();
    expect(store.writes.flushes - before).toBeLessThanOrEqual(1); // none when the idle release got there first
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    expect(await reopened.getTask('last')).toBeDefined();
    await reopened.close();
  });
});
