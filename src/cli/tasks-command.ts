/** `baton tasks` and `baton task ID`: read the store without a server, for people (tables) or scripts (--json). */
import { LowdbTaskStore } from '../store/lowdb-task-store.js';
import type { Task, TaskStatus } from '../store/records.js';
import { TaskStatusSchema } from '../store/records.js';
import { ConfigError, InputError, NotFoundError } from '../errors.js';
import { summarize } from '../tasks/task-service.js';
import type { CommandSpec, Flags } from './command.js';
import { EXIT } from './command.js';
import { loadConfig } from './load-config.js';
import { formatTable, indent } from './table.js';

const JSON_OPTION = { flags: '--json', description: 'print JSON for scripts' };

export const tasksListCommand: CommandSpec = {
  name: 'tasks',
  summary: 'list stored tasks, newest first',
  groups: ['store', 'config'],
  options: [
    { flags: '--status <statuses>', description: 'only these statuses (comma-separated)' },
    { flags: '--as <id>', description: 'only tasks this agent delegated or was assigned' },
    JSON_OPTION,
  ],
  async run(_args, flags) {
    const text = await tasksCommand({
      store: storeOf(flags),
      status: flags.status as string | undefined,
      as: flags.as as string | undefined,
      json: flags.json === true,
      width: process.stdout.isTTY ? process.stdout.columns : 0,
    });
    process.stdout.write(`${text}\n`);
    return EXIT.ok;
  },
};

export const taskShowCommand: CommandSpec = {
  name: 'task',
  summary: 'show one task whole (an unambiguous id prefix is enough)',
  arguments: [['<id>', 'the task id, or its first characters']],
  groups: ['store', 'config'],
  options: [JSON_OPTION],
  async run([id], flags) {
    process.stdout.write(`${await taskCommand(id!, { store: storeOf(flags), json: flags.json === true })}\n`);
    return EXIT.ok;
  },
};

function storeOf(flags: Flags): string {
  return loadConfig({ store: flags.store, config: flags.config }).store;
}

export interface TasksOptions {
  store: string;
  status?: string;
  as?: string;
  json?: boolean;
  /** The terminal's width: the table is cut to fit; 0 or absent for no limit. */
  width?: number;
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
    tasks.map((t) => [t.id, t.status, t.delegated_by, t.assignee_id, t.updated_at.slice(0, 19), t.description]),
    // Ids stay whole (they are what `baton task` takes); the description gives way.
    { maxWidth: options.width || 0, shrink: [5] },
  );
}

/** Shows one task whole, by id or unambiguous id prefix. Throws when there is none, or several. */
export async function taskCommand(id: string, options: { store: string; json?: boolean }): Promise<string> {
  const store = await LowdbTaskStore.open({ path: options.store, readOnly: true });
  let task: Task | undefined;
  let children: string[] = [];
  try {
    task = store.getTask(id) ?? byPrefix(store.newestFirst(), id);
    if (task) children = store.childrenOf(task.id).map((c) => c.id);
  } finally {
    await store.close();
  }
  if (!task) throw new NotFoundError('task', id);
  if (options.json) return JSON.stringify({ task, children }, null, 2);
  const lines = [
    `Task ${task.id} (${task.kind})`,
    // The status message only when it says more than the status ("completed — completed" said it twice).
    `  status:       ${task.status}${task.status_message && task.status_message !== task.status ? ` — ${task.status_message}` : ''}`,
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

/** The one task whose id starts with `prefix`; several are refused in one line listing them (newest first). */
function byPrefix(tasks: Iterable<Task>, prefix: string): Task | undefined {
  const found: Task[] = [];
  for (const task of tasks) if (task.id.startsWith(prefix)) found.push(task);
  if (found.length <= 1) return found[0];
  const shown = found.slice(0, 5).map((t) => t.id);
  const more = found.length > shown.length ? ` and ${found.length - shown.length} more` : '';
  throw new InputError(
    'ambiguous',
    `task id prefix '${prefix}' matches ${found.length} tasks: ${shown.join(', ')}${more}`,
  );
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
