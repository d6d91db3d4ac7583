import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { LowdbTaskStore, SCHEMA_VERSION } from '../../src/store/lowdb-task-store.js';
import type { Task } from '../../src/store/records.js';
import { tempDir } from '../helpers/core.js';
import { task } from '../helpers/records.js';

describe('LowdbTaskStore', () => {
  let dir: string;
  let file: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    file = path.join(dir, 'store.json');
  });
  afterEach(async () => {
    await cleanup();
  });

  it('creates a store file that carries its schema version', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    await store.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ schema_version: SCHEMA_VERSION, tasks: [] });
  });

  it('refuses to start on an unreadable file and leaves it untouched', async () => {
    await writeFile(file, '{"schema_version": 1, "tasks": [');
    await expect(LowdbTaskStore.open({ path: file, pollMs: 0 })).rejects.toThrow(StoreError);
    await expect(LowdbTaskStore.open({ path: file, pollMs: 0 })).rejects.toThrow(/cannot read store .* left untouched/);
    expect(await readFile(file, 'utf8')).toBe('{"schema_version": 1, "tasks": [');
  });

  it('refuses a store written by a newer schema version', async () => {
    await writeFile(file, JSON.stringify({ schema_version: 99, generation: 1, seq: 0, tasks: [], inbox: [] }));
    await expect(LowdbTaskStore.open({ path: file, pollMs: 0 })).rejects.toThrow(/schema version 99/);
  });

  it('rolls back a transaction that throws', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    await expect(
      store.transact((tx) => {
        tx.putTask(task('a'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(store.getTask('a')).toBeUndefined();
    await store.close();
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    expect(reopened.size).toBe(0);
    await reopened.close();
  });

  it('shares one write among transactions in flight and keeps them all', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.transact((tx) => tx.putTask(task(`t${i}`)))));
    const journal = (await readFile(`${file}.journal`, 'utf8')).trim().split('\n');
    expect(journal.length).toBe(51); // header + 50 records
    await store.close();
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    expect(reopened.size).toBe(50);
    await reopened.close();
  });

  it('ignores a torn last journal line and writes cleanly after it', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    await store.transact((tx) => tx.putTask(task('a')));
    await store.close();
    await appendFile(`${file}.journal`, '{"task":{"id":"torn","kind":"del');
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    expect(reopened.size).toBe(1);
    await reopened.transact((tx) => tx.putTask(task('b')));
    await reopened.close();
    const again = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    expect([...again.newestFirst()].map((t) => t.id)).toEqual(['b', 'a']);
    await again.close();
  });

  it('folds the journal into the snapshot and prunes expired terminal tasks', async () => {
    const old = new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString();
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, compactMinBytes: 1 });
    await store.transact((tx) => {
      tx.putTask(task('expired', { status: 'completed', finished_at: old, updated_at: old }));
      tx.putTask(task('live'));
    });
    await store.transact((tx) => tx.putTask(task('trigger')));
    await store.close();
    const snapshot = JSON.parse(await readFile(file, 'utf8')) as { generation: number; tasks: Task[] };
    expect(snapshot.generation).toBeGreaterThan(1);
    expect(snapshot.tasks.map((t) => t.id)).toContain('live');
    expect(snapshot.tasks.map((t) => t.id)).not.toContain('expired');
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    expect(reopened.getTask('expired')).toBeUndefined();
    expect(reopened.size).toBe(2);
    await reopened.close();
  });

  it('sees what another store instance on the same file wrote', async () => {
    const a = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    const b = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    const seen: string[] = [];
    b.onChange((c) => seen.push(...c.tasks.map((t) => `${c.origin}:${t.id}`)));
    await a.transact((tx) => tx.putTask(task('from-a')));
    await b.refresh();
    expect(b.getTask('from-a')).toBeDefined();
    expect(seen).toEqual(['remote:from-a']);
    await a.close();
    await b.close();
  });
});
