/** Task map → task trees: newest root first (SPEC §12), children in the order they were created. */
import type { BoardTask } from './task.js';

export interface TreeNode {
  task: BoardTask;
  children: TreeNode[];
}

const newestFirst = (a: BoardTask, b: BoardTask): number =>
  (b.createdAt ?? -Infinity) - (a.createdAt ?? -Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const oldestFirst = (a: BoardTask, b: BoardTask): number => newestFirst(b, a);

/**
 * Builds the trees. A task whose parent is not in the map (the viewer is not a party to it, or it was not loaded)
 * is the root of its own tree, so nothing the server sent is hidden. A cycle (never made by Baton) cannot loop:
 * its tasks become roots where the walk meets them again.
 */
export function buildForest(tasks: Iterable<BoardTask>): TreeNode[] {
  const byId = new Map<string, BoardTask>();
  for (const task of tasks) byId.set(task.id, task);
  const childrenOf = new Map<string, BoardTask[]>();
  const roots: BoardTask[] = [];
  for (const task of byId.values()) {
    const parent = task.parentId;
    if (parent === null || parent === task.id || !byId.has(parent)) {
      roots.push(task);
      continue;
    }
    const siblings = childrenOf.get(parent);
    if (siblings) siblings.push(task);
    else childrenOf.set(parent, [task]);
  }
  const placed = new Set<string>();
  const grow = (task: BoardTask): TreeNode => {
    placed.add(task.id);
    const children = (childrenOf.get(task.id) ?? []).filter((child) => !placed.has(child.id)).sort(oldestFirst);
    return { task, children: children.map(grow) };
  };
  const forest = roots.sort(newestFirst).map(grow);
  // Tasks on a cycle have no root above them: show each cycle from its newest task.
  const stranded = [...byId.values()].filter((task) => !placed.has(task.id)).sort(newestFirst);
  for (const task of stranded) if (!placed.has(task.id)) forest.push(grow(task));
  return forest;
}

/** Every task of a tree, depth first. */
export function* walk(nodes: readonly TreeNode[]): Generator<TreeNode> {
  for (const node of nodes) {
    yield node;
    yield* walk(node.children);
  }
}

/** How many tasks are under a node (not counting itself). */
export function descendantCount(node: TreeNode): number {
  let count = 0;
  for (const _ of walk(node.children)) count++;
  return count;
}
