/**
 * Inside a host (MCP App), the board shows the work of the tool call it was opened for: the tasks named by the
 * call's arguments (`get_task {task_id}`, `wait_for_tasks {task_ids}`) or its result (`subagent_dispatch` →
 * `task_id`, `get_task` → `task`, `wait_for_tasks` → `tasks[].id`). Until one is known it shows everything.
 */
import type { TreeNode } from './forest.js';
import type { BoardTask } from './task.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const ids = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string' && id !== '') : [];

/** The task ids a tool call's arguments or structured result name. */
export function taskIdsOf(value: unknown): string[] {
  if (!isObject(value)) return [];
  const found = [
    ...ids([value.task_id]),
    ...ids(value.task_ids),
    ...(isObject(value.task) ? ids([value.task.id, value.task.root_task_id]) : []),
    ...(Array.isArray(value.tasks)
      ? value.tasks.flatMap((task) => (isObject(task) ? ids([task.id, task.task_id]) : []))
      : []),
  ];
  return [...new Set(found)];
}

/** The trees holding any pinned task (by root id, so a tree shows whole even before the pinned task arrives). */
export function pinnedTrees(
  forest: readonly TreeNode[],
  pins: ReadonlySet<string>,
  tasks: ReadonlyMap<string, BoardTask>,
): TreeNode[] {
  if (pins.size === 0) return [...forest];
  const roots = new Set<string>();
  for (const id of pins) {
    roots.add(id);
    const task = tasks.get(id);
    if (task) roots.add(task.rootId);
  }
  return forest.filter((node) => roots.has(node.task.id) || roots.has(node.task.rootId));
}
