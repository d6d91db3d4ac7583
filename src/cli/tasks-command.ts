/** `baton tasks` and `baton task ID`: read the store without a server, for people (tables) or scripts (--json). */
import { LowdbTaskStore } from '../store/lowdb-task-store.js';
import type { Task, TaskStatus } from '../store/records.js';
import { TaskStatusSchema } from '../store/records.js';
import { ConfigError } from '../errors.js';
import { summarize } from '../tasks/task-service.js';
import { clip, formatTable } from './table.js';

export interface TasksOptions {
  store: string;
  status?: string;
  as?: string;
  json?: boolean;
}

/** Lists tasks (all, or those `as` is a party to), newest first. Returns the text to print. */
export async function tasksCommand(options: TasksOptions): Promise<string> {
  const statuses = parseStatuses(options.status);
  const store = await LowdbTaskStore.open({ path: options.store, readOnly: true });
  const tasks: Task[] = [];
  for (const task of store.newestFirst()) {
    if (options.as !== undefined && task.delegated_by !== options.as && task.assignee_id !== options.as) continue;
    if (statuses && !statuses.has(task.status)) continue;
    tasks.push(task);
  }
  await store.close();
  if (options.json) return JSON.stringify({ tasks: tasks.map(summarize) }, null, 2);
  if (tasks.length === 0) return 'No tasks.';
  return formatTable(
    ['ID', 'STATUS', 'FROM', 'TO', 'UPDATED', 'DESCRIPTION'],
    tasks.map((t) => [
      t.id,
      t.status,
      t.delegated_by,
      t.assignee_id,
      t.updated_at.slice(0, 19),
      clip(t.description, 60),
    ]),
  );
}

/** Shows one task whole. Throws when it does not exist. */
export async function taskCommand(id: string, options: { store: string; json?: boolean }): Promise<string> {
  const store = await LowdbTaskStore.open({ path: options.store, readOnly: true });
  const task = store.getTask(id);
  const children = task ? store.childrenOf(id).map((c) => c.id) : [];
  await store.close();
  if (!task) throw new ConfigError(`task not found: ${id}`);
  if (options.json) return JSON.stringify({ task, children }, null, 2);
  const lines = [
    `Task ${task.id} (${task.kind})`,
    `  status:       ${task.status}${task.status_message ? ` — ${task.status_message}` : ''}`,
    `  from → to:    ${task.delegated_by} → ${task.assignee_id}`,
    `  priority:     ${task.priority}${task.group ? `   group: ${task.group}` : ''}`,
    `  created:      ${task.created_at}`,
    `  deadline:     ${task.deadline ?? '-'}`,
    `  finished:     ${task.finished_at ?? '-'}`,
    ...(task.parent_task_id ? [`  parent:       ${task.parent_task_id}`] : []),
    ...(children.length > 0 ? [`  children:     ${children.join(', ')}`] : []),
    '',
    'Description:',
    indent(task.description),
  ];
  if (task.payload !== undefined) lines.push('', 'Payload:', indent(JSON.stringify(task.payload, null, 2)));
  if (task.progress.length > 0) {
    lines.push('', 'Progress:', ...task.progress.map((p) => `  ${p.at.slice(0, 19)}  ${p.message}`));
  }
  if (task.result !== undefined) {
    lines.push(
      '',
      'Result:',
      indent(typeof task.result === 'string' ? task.result : JSON.stringify(task.result, null, 2)),
    );
  }
  if (task.error) lines.push('', 'Error:', indent(task.error));
  return lines.join('\n');
}

function parseStatuses(value: string | undefined): Set<TaskStatus> | null {
  if (value === undefined) return null;
  const statuses = value.split(',').map((s) => s.trim());
  for (const s of statuses) {
    if (!TaskStatusSchema.safeParse(s).success) {
      throw new ConfigError(`invalid --status: "${s}"; expected one of ${TaskStatusSchema.options.join(', ')}`);
    }
  }
  return new Set(statuses as TaskStatus[]);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
