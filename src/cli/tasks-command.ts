/** `baton tasks` and `baton task ID`: read the store without a server, for people (tables) or scripts (--json). */
import { ConfigError, InputError, NotFoundError } from '../errors.js';
import type { Task, TaskStatus } from '../model/task.js';
import { TaskStatusSchema } from '../model/task.js';
import { openStore } from '../store/open-store.js';
import type { TaskQuery, TaskStore } from '../store/task-store.js';
import { summarize } from '../tasks/views.js';
import type { CommandSpec, Flags } from './command.js';
import { EXIT } from './command.js';
import { loadConfig } from './load-config.js';
import { costText, tokensText, usageLines } from './spend-text.js';
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
  const store = await openStore(options.store, { readOnly: true });
  let tasks: Task[];
  try {
    tasks = await every(store, {
      ...(options.as !== undefined ? { party: options.as } : {}),
      ...(statuses ? { status: statuses } : {}),
      order: 'newest',
    });
  } finally {
    await store.close();
  }
  if (options.json) {
    const shown = tasks.map((t) => ({ ...summarize(t), usage: t.usage }));
    return JSON.stringify({ tasks: shown }, null, 2);
  }
  if (tasks.length === 0) return 'No tasks.';
  return formatTable(
    // TOKENS and COST are the task's whole subtree's.
    ['ID', 'STATUS', 'FROM', 'TO', 'UPDATED', 'TOKENS', 'COST', 'DESCRIPTION'],
    tasks.map((t) => [
      t.id,
      t.status,
      t.delegated_by,
      t.assignee_id,
      t.updated_at.slice(0, 19),
      tokensText(t.usage_total),
      costText(t.usage_total),
      t.description,
    ]),
    // Ids stay whole (they are what `baton task` takes); the description gives way.
    { maxWidth: options.width || 0, shrink: [7] },
  );
}

/** Shows one task whole, by id or unambiguous id prefix. Throws when there is none, or several. */
export async function taskCommand(id: string, options: { store: string; json?: boolean }): Promise<string> {
  const store = await openStore(options.store, { readOnly: true });
  let task: Task | undefined;
  let children: string[] = [];
  try {
    task = (await store.getTask(id)) ?? (await byPrefix(store, id));
    if (task) children = (await every(store, { parent: task.id, order: 'oldest' })).map((c) => c.id);
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
    ...usageLines(task),
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

/** Every task of a query (or the first `max`), page by page. */
async function every(store: TaskStore, query: TaskQuery, max = Infinity): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.findTasks({ ...query, limit: Math.min(500, max - tasks.length), cursor });
    tasks.push(...page.tasks);
    cursor = page.next_cursor;
  } while (cursor !== null && tasks.length < max);
  return tasks;
}

/** The one task whose id starts with `prefix`; several are refused in one line listing them (newest first). */
async function byPrefix(store: TaskStore, prefix: string): Promise<Task | undefined> {
  const found = await every(store, { idPrefix: prefix, order: 'newest' }, 5);
  if (found.length <= 1) return found[0];
  const count = await store.countTasks({ idPrefix: prefix });
  const shown = found.map((t) => t.id);
  const more = count > shown.length ? ` and ${count - shown.length} more` : '';
  throw new InputError('ambiguous', `task id prefix '${prefix}' matches ${count} tasks: ${shown.join(', ')}${more}`);
}

function parseStatuses(value: string | undefined): TaskStatus[] | null {
  if (value === undefined) return null;
  const statuses = value.split(',').map((s) => s.trim());
  for (const s of statuses) {
    if (!TaskStatusSchema.safeParse(s).success) {
      throw new ConfigError(`invalid --status: "${s}"; expected one of ${TaskStatusSchema.options.join(', ')}`);
    }
  }
  return statuses as TaskStatus[];
}
