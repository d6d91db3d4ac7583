/**
 * A process that writes tasks one after another into a store that compacts after nearly every batch, and reports
 * each acknowledged id over IPC: for the kill -9 test in compaction-kill.test.ts. Runs the built code (dist/).
 */
import { LowdbTaskStore } from '../../../dist/store/file/file-task-store.js';

const [file, template, run] = [process.argv[2], JSON.parse(process.argv[3]), process.argv[4]];
const store = await LowdbTaskStore.open({ path: file, pollMs: 0, compactMinBytes: 1 });
for (let i = 0; ; i++) {
  const id = `acked-${run}-${i}`;
  // The journal need not outgrow the snapshot first: a compaction starts whenever none is running.
  store.files.snapshotBytes = 0;
  await Promise.all([
    store.transact((tx) => tx.putTask({ ...template, id, root_task_id: id })),
    store.transact((tx) => tx.putTask({ ...template, id: `${id}-b`, root_task_id: `${id}-b` })),
  ]);
  process.send(id);
}
