/**
 * The file store keeps its journal open for appends while it holds the lock (one open per journal file, not one
 * per batch), lets go of it with the lock, and still cuts a torn line left at the end before it appends; while it
 * holds the lock, reads and writes do not look at the journal for other processes' appends.
 */
import fs, { appendFileSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LowdbTaskStore } from '../../../src/store/file/file-task-store.js';
import { eachTempStore } from '../../helpers/core.js';
import { task } from '../../helpers/records.js';

/** This process's open descriptors on `file` (Linux: /proc/self/fd). */
function openOn(file: string): string[] {
  const fds: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) fds.push(fd);
    } catch {
      // closed meanwhile (readdir's own descriptor)
    }
  }
  return fds;
}

describe('the file store journal', () => {
  let file: string;
  eachTempStore((f) => (file = f));

  afterEach(() => {
    vi.restoreAllMocks();
    syncBuiltinESMExports();
  });

  it.skipIf(process.platform !== 'linux')(
    'is opened once for a run of batches and closed when the lock is let go',
    async () => {
      const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
      const journal = `${file}.journal`;
      // Counts the store's opens of the journal (the named imports of node:fs follow the spy once synced).
      const opens = vi.spyOn(fs, 'openSync');
      syncBuiltinESMExports();
      const journalOpens = () => opens.mock.calls.filter(([p]) => p === journal).length;
      await store.transact((tx) => tx.putTask(task('a')));
      expect(openOn(journal)).toHaveLength(1);
      for (const id of ['b', 'c', 'd']) await store.transact((tx) => tx.putTask(task(id)), { durable: id !== 'c' });
      expect(openOn(journal)).toHaveLength(1);
      expect(journalOpens()).toBe(1); // kept across the batches, written and synced through the one descriptor

      // The lock's lease lapses after a short idle time: another process may then replace the journal.
      await expect.poll(() => openOn(journal)).toEqual([]);
      await store.transact((tx) => tx.putTask(task('e')));
      expect(openOn(journal)).toHaveLength(1);
      await store.close();
      expect(openOn(journal)).toEqual([]);

      const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false, readOnly: true });
      expect(reopened.size).toBe(5);
      await reopened.close();
    },
  );

  it('cuts a torn line at its end before the next append', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    await store.transact((tx) => tx.putTask(task('a')));
    // A write cut short, as by a crash: longer than the next record, which would otherwise not cover it.
    appendFileSync(`${file}.journal`, `{"task":{"id":"torn","description":"${'x'.repeat(20_000)}`);
    await store.transact((tx) => tx.putTask(task('b')));
    await store.close();

    // The journal ends with the last record: nothing of the torn line is left after it.
    const text = readFileSync(`${file}.journal`, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('xxxx');
    for (const line of text.trimEnd().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false, readOnly: true });
    expect(reopened.size).toBe(2);
    expect(await reopened.getTask('b')).toBeDefined();
    await reopened.close();
  });

  it('is not looked at by reads and writes while this process holds the lock: nobody else can append', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    await store.transact((tx) => tx.putTask(task('a'))); // takes the lock, kept as a lease
    const stats = vi.spyOn(fs, 'statSync');
    syncBuiltinESMExports();
    const journalStats = () => stats.mock.calls.filter(([p]) => p === `${file}.journal`).length;
    for (let turn = 0; turn < 3; turn++) {
      expect(await store.getTask('a')).toBeDefined();
      await store.transact((tx) => tx.putTask(task(`n${turn}`)));
      await new Promise((resolve) => setImmediate(resolve)); // a new turn: a read would look again
    }
    expect(journalStats()).toBe(0);

    // Once the lease lapsed, a read looks again (another process may have appended meanwhile).
    await store.transact((tx) => tx.putTask(task('b')), { durable: false });
    await expect
      .poll(async () => {
        await store.getTask('a');
        return journalStats() > 0;
      })
      .toBe(true);
    await store.close();
  });
});
