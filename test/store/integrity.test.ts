/**
 * Store files in states a crash, a restore from backup or a hand edit leave behind (issue 7, items 7, 8, 15, 17):
 * start-up stops with one clear line and touches nothing, or repairs what is safe to repair.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { LowdbTaskStore } from '../../src/store/file/file-task-store.js';
import { eachTempStore } from '../helpers/core.js';
import { task } from '../helpers/records.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('store integrity at start-up', () => {
  let dir: string;
  let file: string;
  eachTempStore((f, d) => ([file, dir] = [f, d]));

  const open = (options: { compactMinBytes?: number } = {}) =>
    LowdbTaskStore.open({ path: file, pollMs: 0, ...options });
  const files = () => Promise.all([readFile(file), readFile(`${file}.journal`)]);
  const put = (store: LowdbTaskStore, id: string) => store.transact((tx) => tx.putTask(task(id)));

  it('stops with one line, leaving both files byte-identical, when the journal is newer than the snapshot', async () => {
    (await open()).close();
    await copyFile(file, path.join(dir, 'backup.json')); // generation 1
    const compacting = await open({ compactMinBytes: 1 });
    await put(compacting, 'compacted');
    await compacting.close();
    const store = await open();
    for (let i = 1; i <= 6; i++) await put(store, `acknowledged-${i}`);
    await store.close();
    await copyFile(path.join(dir, 'backup.json'), file); // the restore: an older snapshot

    const before = await files();
    const error = await open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      /^cannot open store .*store\.json: its journal .*store\.json\.journal is of generation \d+, newer than the snapshot's 1 \(was an older snapshot restored\?\); both files were left untouched$/,
    );
    expect(await files()).toEqual(before);
    expect(new Set((await readFile(`${file}.journal`, 'utf8')).match(/acknowledged-\d/g))).toHaveProperty('size', 6);
  });

  it('removes temp files left by writers that were killed, keeping those of live processes', async () => {
    (await open()).close();
    const dead = deadPid();
    const stale = [`.store.json.${dead}.tmp`, `store.json.journal.${dead}.tmp`, `store.json.journal.${dead}.next.tmp`];
    for (const name of stale) await writeFile(path.join(dir, name), 'x'.repeat(1024 * 1024));
    const live = `.store.json.${process.ppid}.tmp`; // vitest's own process: alive
    await writeFile(path.join(dir, live), 'in progress');
    await writeFile(path.join(dir, 'other.json.123.tmp'), 'not ours');

    (await open()).close();
    const names = await readdir(dir);
    for (const name of stale) expect(names).not.toContain(name);
    expect(names).toContain(live);
    expect(names).toContain('other.json.123.tmp');
  });

  it('names the file, the line and the field of a bad journal record, on one line', async () => {
    const store = await open();
    await put(store, 'a');
    await put(store, 'b');
    await store.close();
    const bad = { ...task('c'), status: 'done' };
    await appendFile(`${file}.journal`, `${JSON.stringify({ task: bad })}\n`);

    const before = await files();
    const error = (await open().catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(
      /^cannot read store journal .*store\.json\.journal: line 4: task\.status: Invalid option: expected one of .*; left untouched$/,
    );
    expect(error.message).not.toContain('\n');
    expect(await files()).toEqual(before);
  });

  it('counts journal lines from the start of the file for a bad record read while running', async () => {
    const store = await open();
    await put(store, 'a');
    // Another writer appends only once this process has let go of the lock (idle for a moment).
    await expect.poll(() => existsSync(`${file}.lock`)).toBe(false);
    await appendFile(`${file}.journal`, '{"inbox": {"seq": "one"}}\n');
    // A read looks at the journal first.
    await expect(store.getTask('a')).rejects.toThrow(
      /^cannot read store journal .*: line 3: inbox\.seq: Invalid input: expected number, received string; left untouched$/,
    );
    await store.close().catch(() => undefined);
  });

  it('keeps one copy of an inbox item replayed twice in the journal', async () => {
    const store = await open();
    await store.transact((tx) =>
      tx.addInbox({
        recipient: 'bob',
        event: 'message.received',
        from: 'alice',
        task_id: null,
        content: 'hello',
        created_at: new Date().toISOString(),
      }),
    );
    await store.close();
    const lines = (await readFile(`${file}.journal`, 'utf8')).trimEnd().split('\n');
    await appendFile(`${file}.journal`, `${lines[lines.length - 1]}\n`); // the same item again

    const reopened = await open();
    expect((await reopened.inbox('bob', 0, 10)).map((i) => i.content)).toEqual(['hello']);
    await reopened.close();
  });
});
