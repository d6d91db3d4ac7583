/**
 * `TaskStore.release` for any backend, as one transaction through the interface: the claim is let go only while it
 * is still the caller's (same runner and epoch), and a graceful hand-back refunds the attempt it used.
 */
import type { Claim } from '../model/task.js';
import type { TaskStore } from './task-store.js';

export async function releaseClaim(
  store: Pick<TaskStore, 'transact'>,
  claim: Claim,
  options: { refundAttempt?: boolean },
): Promise<void> {
  await store.transact(async (tx) => {
    const task = await tx.getTask(claim.task_id);
    if (!task?.claim || task.claim.runner !== claim.runner || task.claim.epoch !== claim.epoch) return;
    tx.putTask({
      ...task,
      claim: null,
      ...(options.refundAttempt ? { attempts: Math.max(0, task.attempts - 1), status_message: null } : {}),
    });
  });
}
