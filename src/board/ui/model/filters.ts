/**
 * Filters by status, agent and group, and a search over descriptions (SPEC §12). A tree stays on the board when
 * any of its tasks matches; within it, the matching tasks are shown with the ancestors that lead to them (marked
 * as context), and branches without a match are left out.
 */
import type { TreeNode } from './forest.js';
import { isTerminal, TASK_STATUSES } from './task.js';
import type { BoardTask, ShownStatus } from './task.js';

export interface BoardFilter {
  /** Empty: every status. */
  statuses: ReadonlySet<ShownStatus>;
  /** Matches the assignee or the delegator. */
  agent: string | null;
  group: string | null;
  /** Words that must all appear in the description (or the task id), in any case and accents. */
  text: string;
}

export const NO_FILTER: BoardFilter = { statuses: new Set(), agent: null, group: null, text: '' };

export const isFiltering = (filter: BoardFilter): boolean =>
  filter.statuses.size > 0 || filter.agent !== null || filter.group !== null || words(filter.text).length > 0;

/** Lower case without diacritics, so "resume" finds "Résumé". */
const fold = (text: string): string => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
const words = (text: string): string[] => fold(text).split(/\s+/).filter(Boolean);

/** Whether one task passes every filter. */
export function taskMatches(task: BoardTask, filter: BoardFilter): boolean {
  if (filter.statuses.size > 0 && !filter.statuses.has(task.status)) return false;
  if (filter.agent !== null && task.assigneeId !== filter.agent && task.delegatedBy !== filter.agent) return false;
  if (filter.group !== null && task.group !== filter.group) return false;
  const wanted = words(filter.text);
  if (wanted.length === 0) return true;
  const haystack = fold(task.description);
  const id = task.id.toLowerCase();
  return wanted.every((word) => haystack.includes(word) || id.startsWith(word));
}

export interface VisibleNode {
  task: BoardTask;
  /** false: shown only as the way to a matching task below it. */
  match: boolean;
  children: VisibleNode[];
  /** Tasks under this one in the whole tree, shown or not. */
  total: number;
  /** Of those, how many have ended. */
  ended: number;
}

/** The trees as the filter shows them; every tree and every task when nothing is filtered. */
export function filterForest(forest: readonly TreeNode[], filter: BoardFilter): VisibleNode[] {
  const filtering = isFiltering(filter);
  const visit = (node: TreeNode): { visible: VisibleNode | null; size: number; ended: number } => {
    const children: VisibleNode[] = [];
    let size = 0;
    let ended = 0;
    for (const child of node.children) {
      const seen = visit(child);
      size += seen.size + 1;
      ended += seen.ended + (isTerminal(child.task.status) ? 1 : 0);
      if (seen.visible) children.push(seen.visible);
    }
    const match = !filtering || taskMatches(node.task, filter);
    const visible = match || children.length > 0 ? { task: node.task, match, children, total: size, ended } : null;
    return { visible, size, ended };
  };
  return forest.map((node) => visit(node).visible).filter((node): node is VisibleNode => node !== null);
}

export interface Facets {
  /** Every agent seen as an assignee or a delegator, sorted. */
  agents: string[];
  groups: string[];
  counts: Record<ShownStatus, number>;
}

/** What the filter controls offer, from every task on the board. */
export function facets(tasks: Iterable<BoardTask>): Facets {
  const agents = new Set<string>();
  const groups = new Set<string>();
  const counts = Object.fromEntries([...TASK_STATUSES, 'unknown'].map((status) => [status, 0])) as Record<
    ShownStatus,
    number
  >;
  for (const task of tasks) {
    if (task.assigneeId) agents.add(task.assigneeId);
    if (task.delegatedBy) agents.add(task.delegatedBy);
    if (task.group) groups.add(task.group);
    counts[task.status]++;
  }
  const sorted = (set: Set<string>) => [...set].sort((a, b) => a.localeCompare(b));
  return { agents: sorted(agents), groups: sorted(groups), counts };
}

/** The statuses a filter control offers: SPEC §5's, plus "unknown" only when some task has it. */
export function offeredStatuses(counts: Record<ShownStatus, number>): ShownStatus[] {
  return counts.unknown > 0 ? [...TASK_STATUSES, 'unknown'] : [...TASK_STATUSES];
}
