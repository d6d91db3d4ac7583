/**
 * A compaction walks the store in slices: no turn of the event loop looks at more than a slice of the tasks, so
 * that at 1M tasks no caller waits behind the walk for expired tasks or behind the snapshot's serialisation.
 * Counted, not timed: every stored task's `status` is read through a counting getter (the walk for expired tasks
 * reads it, and so does JSON.stringify), and a setImmediate ticker notes the reads between two of its turns.
 */
import { describe, expect, it } from 'vitest';
import { EXPIRED_SLICE } from '../../../src/store/file/expired-tasks.js';
import { LowdbTaskStore } from '../../../src/store/file/file-task-store.js';
import type { StoreState } from '../../../src/store/file/store-state.js';
import { eachTempStore } from '../../helpers/core.js';
import { task } from '../../helpers/records.js';

const TASKS = 8 * EXPIRED_SLICE;

describe('file store compaction, in slices', () => {
  let file: string;
  eachTempStore((f) => (file = f));

  it('looks at no more than a slice of the tasks per turn of the event loop, and loses none', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false, compactMinBytes: 1 << 30 });
    await store.transact((tx) => {
      for (let i = 0; i < TASKS; i++) tx.putTask(task(`seed-${i}`, { status: 'completed' }));
    });
    // The store's files and options are private: reached here to lower the threshold once the seed is written.
    const files = (store as unknown as { files: { state: StoreState; options: { compactMinBytes: number } } }).files;
    let reads = 0;
    for (const stored of files.state.tasks.values()) {
      const status = stored.status;
      Object.defineProperty(stored, 'status', {
        get: () => {
          reads++;
          return status;
        },
        enumerable: true,
        configurable: true,
      });
    }
    // The next write starts a compaction; a ticker notes the reads per turn until it is over.
    files.options.compactMinBytes = 1;
    let most = 0;
    let running = true;
    const ticker = (async () => {
      for (let last = reads; running;) {
        await new Promise((resolve) => setImmediate(resolve));
        most = Math.max(most, reads - last);
        last = reads;
      }
    })();
    await store.transact((tx) => tx.putTask(task('trigger')));
    await store.close(); // waits for the compaction to end
    running = false;
    await ticker;
    // The compaction ran and read every task (once to look for expired ones, once to write it), a slice at a time.
    expect(reads).toBeGreaterThanOrEqual(2 * TASKS);
    expect(most).toBeLessThanOrEqual(2 * EXPIRED_SLICE);
    const reopened = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    expect(reopened.size).toBe(TASKS + 1);
    await reopened.close();
  });
});
