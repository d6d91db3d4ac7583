/**
 * The file store: the contract suite (`contract.ts`), then what only a store file has: one write shared by the
 * transactions in flight, a torn journal line, compaction, and opening a store written by an older Baton.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LowdbTaskStore, SCHEMA_VERSION } from '../../src/store/file/file-task-store.js';
import { NO_USAGE } from '../../src/model/task.js';
import type { Task } from '../../src/model/task.js';
import { eachTempStore, tempDir } from '../helpers/core.js';
import { task } from '../helpers/records.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('file', async () => {
  const { dir, cleanup } = await tempDir('baton-store-contract-');
  const file = path.join(dir, 'store.json');
  return {
    location: file,
    open: (options) => LowdbTaskStore.open({ path: file, pollMs: 20, ...options }),
    async damage() {
      const journal = `${file}.journal`;
      await appendFile(journal, '{"task": {"id": 42}}\n');
      const before = await Promise.all([readFile(file), readFile(journal)]);
      return async () => expect(await Promise.all([readFile(file), readFile(journal)])).toEqual(before);
    },
    async setSchemaVersion(version) {
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace(/"schema_version":\d+/, `"schema_version":${version}`));
    },
    cleanup,
  };
});

describe('LowdbTaskStore (file only)', () => {
  let file: string;
  eachTempStore((f) => (file = f));
  const open = (options: { compactMinBytes?: number } = {}) =>
    LowdbTaskStore.open({ path: file, pollMs: 0, ...options });

  it('creates a store file that carries its schema version', async () => {
    const store = await open();
    await store.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ schema_version: SCHEMA_VERSION, tasks: [] });
  });

  it('refuses to start on an unreadable snapshot and leaves it untouched', async () => {
    await writeFile(file, '{"schema_version": 1, "tasks": [');
    await expect(open()).rejects.toThrow(/cannot read store .* left untouched/);
    expect(await readFile(file, 'utf8')).toBe('{"schema_version": 1, "tasks": [');
  });

  it('shares one write among transactions in flight and keeps them all', async () => {
    const store = await open();
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.transact((tx) => tx.putTask(task(`t${i}`)))));
    const journal = (await readFile(`${file}.journal`, 'utf8')).trim().split('\n');
    expect(journal.length).toBe(51); // header + 50 records
    await store.close();
    const reopened = await open();
    expect(reopened.size).toBe(50);
    await reopened.close();
  });

  it('says when what it applied is durable: after the fsync, at once for a write made without one', async () => {
    const store = await open();
    expect(store.whenDurable()).toBeNull();
    // Applied and written, its fsync under way: readers see it, and whenDurable waits for that fsync.
    const seen: string[] = [];
    let during: Promise<void> | null = null;
    const written = store.transact((tx) => tx.putTask(task('a')), {
      onWritten: () => {
        seen.push('written');
        during = store.whenDurable();
        void during?.then(() => seen.push('durable'));
      },
    });
    await written.then(() => seen.push('acknowledged'));
    expect(during).not.toBeNull();
    expect(seen).toEqual(['written', 'durable', 'acknowledged']);
    expect(store.whenDurable()).toBeNull();

    // Written without a sync (a plain dispatch's creation): asking brings its fsync forward, not at the lock's idle.
    const before = { ...store.writes };
    await store.transact((tx) => tx.putTask(task('b')), { durable: false });
    const wait = store.whenDurable();
    expect(wait).not.toBeNull();
    await wait;
    expect(store.writes.synced - before.synced).toBe(1);
    expect(store.writes.flushes - before.flushes).toBe(0);
    expect(store.whenDurable()).toBeNull();
    await store.close();
  });

  it('fails what waits for durability when the fsync fails, and reloads what is on disk', async () => {
    const store = await open();
    await store.transact((tx) => tx.putTask(task('a')));
    const appender = (store as unknown as { files: { appender: { sync(ino: number): Promise<void> } } }).files.appender;
    vi.spyOn(appender, 'sync').mockRejectedValueOnce(new Error('EIO: i/o error, fdatasync'));
    let during: Promise<void> | null = null;
    const write = store.transact((tx) => tx.putTask(task('b')), {
      onWritten: () => {
        during = store.whenDurable();
        during?.catch(() => undefined); // looked at below
      },
    });
    await expect(write).rejects.toThrow(/could not write the store: EIO/);
    expect(during).not.toBeNull();
    await expect(during).rejects.toThrow(/could not write the store: EIO/);
    expect(store.whenDurable()).toBeNull();
    await store.close();
  });

  it('writes a renewal as a small lease line, not the whole task again', async () => {
    const store = await open();
    await store.transact((tx) => tx.putTask(task('big', { payload: { text: 'x'.repeat(10_000) } })));
    const claim = await store.claim('big', 'r1', 60_000);
    const before = (await readFile(`${file}.journal`)).length;
    await store.renew([claim!], 60_000);
    const line = (await readFile(`${file}.journal`, 'utf8')).slice(before);
    expect(JSON.parse(line)).toEqual({ lease: { task_id: 'big', epoch: 1, expires_at: expect.any(String) } });
    await store.close();
  });

  it('ignores a torn last journal line and writes cleanly after it', async () => {
    const store = await open();
    await store.transact((tx) => tx.putTask(task('a')));
    await store.close();
    await appendFile(`${file}.journal`, '{"task":{"id":"torn","kind":"del');
    const reopened = await open();
    expect(reopened.size).toBe(1);
    await reopened.transact((tx) => tx.putTask(task('b')));
    await reopened.close();
    const again = await open();
    expect((await again.findTasks({})).tasks.map((t) => t.id)).toEqual(['b', 'a']);
    await again.close();
  });

  it('folds the journal into the snapshot and prunes expired terminal tasks', async () => {
    const old = new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString();
    const store = await open({ compactMinBytes: 1 });
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
    const reopened = await open();
    expect(await reopened.getTask('expired')).toBeUndefined();
    expect(reopened.size).toBe(2);
    await reopened.close();
  });

  it('opens a schema-1 store (tasks with runner, no sequence numbers), keeps every task and upgrades it', async () => {
    const at = new Date().toISOString();
    const v1 = (id: string, extra: Record<string, unknown>) => {
      const { claim: _c, lease_epoch: _l, affinity: _a, model: _m, seq: _s, created_seq: _cs, ...rest } = task(id);
      return { ...rest, runner: null, ...extra };
    };
    const inbox = {
      recipient: 'bob',
      event: 'message.received',
      from: 'alice',
      task_id: null,
      content: 'hi',
      created_at: at,
    };
    await writeFile(
      file,
      `{"schema_version":1,"generation":3,"seq":7,"tasks":[\n` +
        `${JSON.stringify(v1('old-1', { status: 'completed', finished_at: at }))},\n` +
        `${JSON.stringify(v1('old-2', { runner: 'somehost:12345', attempts: 1, max_retries: 1 }))}\n` +
        `],"inbox":[\n${JSON.stringify({ seq: 7, ...inbox })}\n],"sessions":[\n` +
        `${JSON.stringify({ id: 's1', agent_id: 'bob', owner: 'alice', messages: [], notes: { k: 'v' }, notes_from: null, created_at: at, updated_at: at })}\n]}\n`,
    );
    await writeFile(
      `${file}.journal`,
      `{"generation":3}\n${JSON.stringify({ task: v1('old-3', { runner: 'somehost:1' }) })}\n${JSON.stringify({ inbox: { seq: 8, ...inbox, content: 'again' } })}\n`,
    );
    const store = await open();
    const tasks = (await store.findTasks({ order: 'oldest' })).tasks;
    expect(tasks.map((t) => t.id)).toEqual(['old-1', 'old-2', 'old-3']);
    expect(tasks.every((t) => t.created_seq > 8 && t.claim === null && !('runner' in t))).toBe(true);
    expect(tasks[1]).toMatchObject({ status: 'in_progress', attempts: 1, max_retries: 1, lease_epoch: 0 });
    expect((await store.inbox('bob', 0, 10)).map((i) => [i.seq, i.content])).toEqual([
      [7, 'hi'],
      [8, 'again'],
    ]);
    expect((await store.getSession('s1'))?.notes).toEqual({ k: 'v' });
    // The interrupted task is runnable again; new changes come after every old cursor.
    expect(await store.claim('old-2', 'r1', 60_000)).toMatchObject({ epoch: 1 });
    const seq = await store.transact((tx) => tx.addInbox({ ...inbox, content: 'new' } as never));
    expect((seq as { seq: number }).seq).toBeGreaterThan(8);
    await store.close();
    expect(
      JSON.parse((await readFile(file, 'utf8')).split('\n')[0]!.replace(/"tasks":\[$/, '"tasks":[]}')),
    ).toMatchObject({
      schema_version: SCHEMA_VERSION,
    });
  });

  it('opens a schema-2 store (tasks without usage or budgets), keeps every task and its seqs, and upgrades it', async () => {
    const v2 = (id: string, seq: number, extra: Partial<Task> = {}) => {
      const {
        usage: _u,
        usage_total: _t,
        usage_by_attempt: _a,
        budget_tokens: _b,
        budget_usd: _d,
        ...rest
      } = task(id, {
        seq,
        created_seq: seq,
        ...extra,
      });
      return rest;
    };
    await writeFile(
      file,
      `{"schema_version":2,"generation":2,"seq":5,"tasks":[\n` +
        `${JSON.stringify(v2('old-1', 4, { status: 'completed' }))}\n],"inbox":[\n],"sessions":[\n]}\n`,
    );
    await writeFile(`${file}.journal`, `{"generation":2}\n${JSON.stringify({ task: v2('old-2', 5) })}\n`);
    const store = await open();
    const tasks = (await store.findTasks({ order: 'oldest' })).tasks;
    expect(tasks.map((t) => [t.id, t.seq, t.created_seq])).toEqual([
      ['old-1', 4, 4],
      ['old-2', 5, 5],
    ]);
    for (const t of tasks) {
      expect(t).toMatchObject({ ...NO_USAGE, budget_tokens: null, budget_usd: null });
    }
    await store.transact((tx) => tx.putTask(task('new')));
    expect((await store.getTask('new'))?.seq).toBe(6);
    await store.close();
    expect(
      JSON.parse((await readFile(file, 'utf8')).split('\n')[0]!.replace(/"tasks":\[$/, '"tasks":[]}')),
    ).toMatchObject({ schema_version: SCHEMA_VERSION });
  });
});
