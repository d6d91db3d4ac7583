/**
 * What one viewer of the board sees (board contract, SPEC §12): with tokens exactly the tasks its agent is a party
 * to, as get_task allows; an admin (an `--admin-token`, or the local operator without tokens) every task. Snapshots
 * of the newest root trees, and the changes after a seq, read from the store's change feed.
 */
import type { Task } from '../model/task.js';
import type { Change } from '../store/task-store.js';
import type { TaskReads } from '../tasks/task-reads.js';

export interface Viewer {
  /** The agent the viewer acts as: the token's agent, or `--as`. */
  agent: string;
  /** Sees every task (actions still go through the access rules as `agent`). */
  admin: boolean;
}

export interface BoardSnapshot {
  /** The store's head when the snapshot began: every later change comes from the feed after it. */
  seq: number;
  tasks: Task[];
}

/** Root trees a snapshot holds by default, and at most. */
export const SNAPSHOT_DEFAULT = 100;
export const SNAPSHOT_MAX = 500;

/** Whether `viewer` may see `task`. */
export function canSee(viewer: Viewer, task: Task): boolean {
  return viewer.admin || task.delegated_by === viewer.agent || task.assignee_id === viewer.agent;
}

/**
 * The newest `limit` (0 and up) root trees the viewer may see, and the trees of `include` (task ids, when visible): every
 * task of them the viewer may see, newest root first. `seq` is read first, so a change made meanwhile is both in
 * the snapshot and after `seq` in the feed (the page keeps the higher seq), never in neither.
 */
export async function snapshot(
  tasks: TaskReads,
  viewer: Viewer,
  options: { limit?: number; include?: readonly string[] } = {},
): Promise<BoardSnapshot> {
  const seq = await tasks.headSeq();
  const limit = Math.min(Math.max(options.limit ?? SNAPSHOT_DEFAULT, 0), SNAPSHOT_MAX);
  const scope = viewer.admin ? {} : { party: viewer.agent };
  const roots: string[] = [];
  const seen = new Set<string>();
  const addRoot = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    roots.push(id);
  };
  if (limit > 0) {
    // Newest first by creation: a root when it comes; a tree whose root the viewer may not see, at its newest
    // visible task (the viewer's top of that tree). A visible root's older children come after it.
    const rootSeen = new Map<string, boolean>();
    for await (const task of tasks.all({ ...scope, order: 'newest' })) {
      if (seen.has(task.root_task_id)) continue;
      if (task.id !== task.root_task_id) {
        let visibleRoot = rootSeen.get(task.root_task_id);
        if (visibleRoot === undefined) {
          const root = await tasks.peek(task.root_task_id);
          visibleRoot = root !== undefined && canSee(viewer, root);
          rootSeen.set(task.root_task_id, visibleRoot);
        }
        if (visibleRoot) continue;
      }
      addRoot(task.root_task_id);
      if (roots.length >= limit) break;
    }
  }
  for (const id of options.include ?? []) {
    const task = await tasks.peek(id);
    if (task && canSee(viewer, task)) addRoot(task.root_task_id);
  }
  const found: Task[] = [];
  for (const root of roots) {
    for await (const task of tasks.all({ ...scope, root, order: 'oldest' })) found.push(task);
  }
  return { seq, tasks: found };
}

/**
 * Listens to the task changes the viewer may see, after `sinceSeq`: what is stored first (each task in its latest
 * version), then live.
 */
export function visibleChanges(
  tasks: TaskReads,
  viewer: Viewer,
  sinceSeq: number,
  listener: (task: Task, seq: number) => void,
): () => void {
  return tasks.changes(sinceSeq, (change: Change) => {
    if (change.kind === 'task' && canSee(viewer, change.task)) listener(change.task, change.seq);
  });
}

/**
 * The visible tasks changed after `afterSeq`, up to the store's head now (the MCP App's poll): the feed's replay,
 * collected until it reaches the head.
 */
export async function changedSince(tasks: TaskReads, viewer: Viewer, afterSeq: number): Promise<BoardSnapshot> {
  const head = await tasks.headSeq();
  if (afterSeq >= head) return { seq: Math.max(head, afterSeq), tasks: [] };
  const changed = new Map<string, Task>();
  await new Promise<void>((resolve) => {
    // The replay ends at the head, whatever kind of change is there; a pruned record can leave a gap, so the
    // replay is also taken as done once it stops coming (it is delivered in one go).
    let idle: NodeJS.Timeout = setTimeout(done, 250);
    const unsubscribe = tasks.changes(afterSeq, (change) => {
      if (change.seq > head) return done();
      if (change.kind === 'task' && canSee(viewer, change.task)) changed.set(change.task.id, change.task);
      if (change.seq === head) return done();
      clearTimeout(idle);
      idle = setTimeout(done, 250);
    });
    function done() {
      clearTimeout(idle);
      unsubscribe();
      resolve();
    }
  });
  return { seq: head, tasks: [...changed.values()] };
}
