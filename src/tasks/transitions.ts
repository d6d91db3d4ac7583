/**
 * How a task's record changes when its run starts and when it ends: pure functions, written by the task service
 * inside its transactions.
 */
import type { Task, TaskStatus } from '../model/task.js';

/** What a run records about its own task while it works. */
export type RunPatch = Partial<Pick<Task, 'attempts' | 'status_message' | 'model' | 'affinity' | 'session_id'>>;

/** A task whose first attempt has started (recorded as it is created, when its run starts at once). */
export function started(first: { model: string; affinity: string | null }): RunPatch {
  return { attempts: 1, status_message: 'running', model: first.model, affinity: first.affinity };
}

/** The task ended at `at`: nobody runs it any more. */
export function finished(
  at: string,
  task: Task,
  status: TaskStatus,
  fields: { result?: unknown; error?: string; status_message: string },
): Task {
  return {
    ...task,
    status,
    status_message: fields.status_message,
    ...(fields.result !== undefined ? { result: fields.result } : {}),
    error: fields.error ?? null,
    updated_at: at,
    finished_at: at,
    claim: null,
  };
}
