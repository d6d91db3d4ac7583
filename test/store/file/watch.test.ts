/**
 * Another process's change reaches a subscriber through the watch of the journal's folder, with the poll off; with
 * both off, it arrives only with the next read (the proof that the watch, not a read, delivered it).
 */
import { describe, expect, it } from 'vitest';
import { LowdbTaskStore } from '../../../src/store/file/file-task-store.js';
import { eachTempStore } from '../../helpers/core.js';
import { task } from '../../helpers/records.js';

describe('file store journal watch', () => {
  let file: string;
  eachTempStore((f) => (file = f));

  async function heardBy(watch: boolean) {
    const writer = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    const reader = await LowdbTaskStore.open({ path: file, pollMs: 0, watch });
    const heard: string[] = [];
    reader.subscribe(await reader.headSeq(), (c) => c.kind === 'task' && heard.push(c.task.id));
    return { writer, reader, heard };
  }

  it('delivers another process’s change with polling off', async () => {
    const { writer, reader, heard } = await heardBy(true);
    await writer.transact((tx) => tx.putTask(task('a')));
    await writer.transact((tx) => tx.putTask(task('b')));
    await expect.poll(() => heard, { timeout: 10_000 }).toEqual(['a', 'b']);
    await writer.close();
    await reader.close();
  });

  it('without the watch and the poll, the change waits for a read', async () => {
    const { writer, reader, heard } = await heardBy(false);
    await writer.transact((tx) => tx.putTask(task('a')));
    await new Promise((r) => setTimeout(r, 300)); // time for a watch to have fired, were there one
    expect(heard).toEqual([]);
    await reader.headSeq();
    expect(heard).toEqual(['a']);
    await writer.close();
    await reader.close();
  });
});
