/**
 * The baseline of the store-scaling benchmark (SPEC §11): lowdb used the obvious way. One JSON file holding
 * `{tasks, inbox}`, and every change is applied to `db.data` and followed by one awaited `db.write()`, which
 * rewrites the whole file. Concurrent writes behave as lowdb makes them: each `db.write()` stringifies the whole
 * document at once, and lowdb's writer (steno) serialises the file writes, coalescing those that queue up.
 *
 * It does the same work per change as Baton's TaskService (same task and inbox item shapes, same checks and
 * notifications), so the two differ only in how the change reaches the disk. It is kept honest in the baseline's
 * favour: lowdb does not fsync (Baton does), and it validates nothing on load (Baton validates every record).
 */
import { randomUUID } from 'node:crypto';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';

const TERMINAL = new Set(['completed', 'failed', 'timed_out', 'cancelled']);

export class NaiveLowdbStore {
  /** @param {Low} db */
  constructor(db) {
    this.db = db;
    this.seq = db.data.inbox.reduce((max, i) => Math.max(max, i.seq), 0);
  }

  static async open(file) {
    const db = new Low(new JSONFile(file), { tasks: [], inbox: [] });
    await db.read();
    db.data.inbox ??= [];
    return new NaiveLowdbStore(db);
  }

  get size() {
    return this.db.data.tasks.length;
  }

  /** Same task as TaskService.delegate (no parent): in_progress at once, the assignee notified. */
  async delegate(caller, input) {
    const now = new Date().toISOString();
    const timeout = input.timeout_seconds ?? 600;
    const id = randomUUID();
    const task = {
      id,
      kind: 'delegation',
      delegated_by: caller,
      assignee_id: input.assignee_id,
      description: input.description,
      ...(input.payload !== undefined ? { payload: input.payload } : {}),
      status: 'in_progress',
      status_message: null,
      priority: input.priority ?? 'normal',
      group: input.group ?? null,
      depends_on: [],
      parent_task_id: null,
      root_task_id: id,
      depth: 0,
      timeout_seconds: timeout,
      created_at: now,
      started_at: now,
      updated_at: now,
      deadline: new Date(Date.now() + timeout * 1000).toISOString(),
      finished_at: null,
      progress: [],
      error: null,
      attempts: 0,
      max_retries: input.max_retries ?? 0,
      session_id: null,
    };
    this.db.data.tasks.push(task);
    this.notify(task.assignee_id, 'task.notification.assigned', task, caller, task.description);
    await this.db.write();
    return task;
  }

  /** Same as TaskService.complete: only the assignee, only a live task; the delegator notified. */
  async complete(caller, input) {
    const tasks = this.db.data.tasks;
    const index = tasks.findIndex((t) => t.id === input.task_id);
    const task = tasks[index];
    if (!task || (task.delegated_by !== caller && task.assignee_id !== caller)) {
      throw new Error(`task not found: ${input.task_id}`);
    }
    if (task.assignee_id !== caller) throw new Error(`task ${task.id} is assigned to ${task.assignee_id}`);
    if (TERMINAL.has(task.status)) throw new Error(`task ${task.id} is already ${task.status}`);
    const now = new Date().toISOString();
    const next = {
      ...task,
      status: 'completed',
      status_message: 'completed',
      result: input.result,
      error: null,
      updated_at: now,
      finished_at: now,
    };
    tasks[index] = next;
    this.notify(task.delegated_by, 'task.notification.completed', next, caller, null);
    await this.db.write();
    return next;
  }

  notify(recipient, event, task, from, content) {
    const description = task.description.length <= 200 ? task.description : `${task.description.slice(0, 199)}…`;
    this.db.data.inbox.push({
      seq: ++this.seq,
      recipient,
      event,
      from,
      task_id: task.id,
      content,
      data: { status: task.status, description },
      created_at: task.updated_at,
    });
  }

  async close() {}
}
