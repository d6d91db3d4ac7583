/**
 * kill -9 while the store compacts (it does after nearly every batch here) loses nothing acknowledged, and the
 * store opens again for writing.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LowdbTaskStore } from '../../../src/store/file/file-task-store.js';
import { eachTempStore } from '../../helpers/core.js';
import { task } from '../../helpers/records.js';

const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'compacting-writer.mjs');

describe('file store compaction, killed', () => {
  let file: string;
  eachTempStore((f) => (file = f));

  it('keeps every acknowledged task when the writer is killed with -9 mid-compaction', async () => {
    const seed = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    await seed.transact((tx) => {
      for (let i = 0; i < 2000; i++) tx.putTask(task(`seed-${i}`));
    });
    await seed.close();
    const acked: string[] = [];
    const prev = `${file}.journal.prev`;
    // Killed once a compaction is under way (the previous journal exists); a kill that lands just after one ended
    // is tried again, up to five times, on the same store.
    let midCompaction = false;
    for (let attempt = 0; attempt < 5 && !midCompaction; attempt++) {
      const writer = fork(WRITER, [file, JSON.stringify(task('template')), String(attempt)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const exited = new Promise((r) => writer.once('exit', r));
      let mine = 0;
      writer.on('message', (id: string) => {
        acked.push(id);
        if (++mine >= 50 && existsSync(prev)) writer.kill('SIGKILL');
      });
      await exited;
      midCompaction = existsSync(prev);
    }
    expect(midCompaction).toBe(true);
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0 });
    const found = (await store.getTasks(acked.flatMap((id) => [id, `${id}-b`]))).length;
    expect(found).toBe(acked.length * 2);
    expect(store.size).toBeGreaterThanOrEqual(2000 + acked.length * 2);
    await store.transact((tx) => tx.putTask(task('after')));
    await store.close();
  });
});
