/**
 * Temp files of snapshot and journal writes that a killed process left next to the store. Every such write runs
 * under the lock, which the caller holds, so a temp file is stale unless its process is still alive (a process that
 * lost the lock while paused); those are left for a later start.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

export async function removeStaleTempFiles(file: string, log: Logger): Promise<void> {
  const dir = path.dirname(file);
  const base = escapeRegExp(path.basename(file));
  const temp = new RegExp(`^(?:\\.${base}|${base}\\.journal)\\.(\\d+)(?:\\.next)?\\.tmp$`);
  for (const name of await fs.readdir(dir)) {
    const pid = Number(temp.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || (pid !== process.pid && isAlive(pid))) continue;
    try {
      const { size } = await fs.stat(path.join(dir, name));
      await fs.rm(path.join(dir, name));
      log.info('removed a temp file left by an interrupted store write', { file: name, bytes: size });
    } catch (error) {
      log.warn('could not remove a stale store temp file', { file: name, error: errorMessage(error) });
    }
  }
}

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
