/** Records for store tests. */
import { NOT_RUN } from '../../src/model/task.js';
import type { Task } from '../../src/model/task.js';

/** An in-progress task from alice to bob, with `overrides`. */
export function task(id: string, overrides: Partial<Task> = {}): Task {
  const now = new Date().toISOString();
  return {
    id,
    kind: 'delegation',
    delegated_by: 'alice',
    assignee_id: 'bob',
    description: `task ${id}`,
    status: 'in_progress',
    status_message: null,
    priority: 'normal',
    group: null,
    depends_on: [],
    parent_task_id: null,
    root_task_id: id,
    depth: 0,
    timeout_seconds: 600,
    created_at: now,
    started_at: now,
    updated_at: now,
    deadline: null,
    finished_at: null,
    progress: [],
    error: null,
    attempts: 0,
    max_retries: 0,
    session_id: null,
    budget_tokens: null,
    budget_usd: null,
    ...NOT_RUN,
    ...overrides,
  };
}
