import type { Task } from '../../store/records.js';

/** The brief answer of the task-changing tools. */
export function taskState(task: Task) {
  return { task_id: task.id, status: task.status, status_message: task.status_message, updated_at: task.updated_at };
}
