/** A task notification into an inbox (SPEC §6), written in the transaction of the change it tells of. */
import type { InboxEvent } from '../model/inbox.js';
import type { Task } from '../model/task.js';
import type { Transaction } from '../store/task-store.js';
import { excerpt } from './views.js';

export function notify(
  tx: Transaction,
  recipient: string,
  event: InboxEvent,
  task: Task,
  from: string | null,
  content: string | null,
  data?: unknown,
): void {
  tx.addInbox({
    recipient,
    event,
    from,
    task_id: task.id,
    content,
    data: { status: task.status, description: excerpt(task.description), ...(data !== undefined ? { data } : {}) },
    created_at: task.updated_at,
  });
}
