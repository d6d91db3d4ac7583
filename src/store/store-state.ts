/**
 * The in-memory image of the store: tasks in creation order, with the indexes reads need.
 * Pure data structure; no I/O.
 */
import type { InboxItem, Session, Task } from './records.js';

export class StoreState {
  readonly tasks = new Map<string, Task>();
  readonly sessions = new Map<string, Session>();
  /** Highest inbox sequence number seen. */
  seq = 0;
  private readonly children = new Map<string, Set<string>>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly inboxes = new Map<string, InboxItem[]>();

  /** Inserts or replaces a task. A new id goes last in creation order (Map insertion order). */
  putTask(task: Task): void {
    if (!this.tasks.has(task.id)) {
      if (task.parent_task_id) link(this.children, task.parent_task_id, task.id);
      for (const dep of task.depends_on) link(this.dependents, dep, task.id);
    }
    this.tasks.set(task.id, task);
  }

  addInbox(item: InboxItem): void {
    let list = this.inboxes.get(item.recipient);
    if (!list) this.inboxes.set(item.recipient, (list = []));
    // Items arrive in seq order from the journal; guard against a replayed duplicate.
    const last = list[list.length - 1];
    if (last && last.seq >= item.seq) return;
    list.push(item);
    if (item.seq > this.seq) this.seq = item.seq;
  }

  childrenOf(id: string): Task[] {
    return this.resolve(this.children.get(id));
  }

  /** Tasks that name `id` in their `depends_on`. */
  dependentsOf(id: string): Task[] {
    return this.resolve(this.dependents.get(id));
  }

  private resolve(ids: Set<string> | undefined): Task[] {
    if (!ids) return [];
    return [...ids].map((c) => this.tasks.get(c)).filter((t): t is Task => t !== undefined);
  }

  *newestFirst(): Iterable<Task> {
    const all = [...this.tasks.values()];
    for (let i = all.length - 1; i >= 0; i--) yield all[i] as Task;
  }

  inbox(recipient: string, after: number, limit: number): InboxItem[] {
    const list = this.inboxes.get(recipient) ?? [];
    // Binary search for the first item with seq > after.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as InboxItem).seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return list.slice(lo, lo + limit);
  }

  /** The newest inbox item of `recipient` that matches, searching from the end. */
  lastInbox(recipient: string, match: (item: InboxItem) => boolean): InboxItem | undefined {
    const list = this.inboxes.get(recipient) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (match(list[i] as InboxItem)) return list[i];
    return undefined;
  }

  allInbox(): InboxItem[] {
    return [...this.inboxes.values()].flat().sort((a, b) => a.seq - b.seq);
  }

  /** Drops terminal tasks finished before `cutoff`, and sessions and inbox items last touched before it; returns how many went. */
  prune(cutoff: string, isTerminal: (t: Task) => boolean): number {
    let dropped = 0;
    for (const [id, task] of this.tasks) {
      if (isTerminal(task) && task.finished_at !== null && task.finished_at < cutoff) {
        this.tasks.delete(id);
        dropped++;
      }
    }
    if (dropped > 0) {
      this.children.clear();
      this.dependents.clear();
      const kept = [...this.tasks.values()];
      this.tasks.clear();
      for (const t of kept) this.putTask(t);
    }
    for (const [id, session] of this.sessions) {
      if (session.updated_at < cutoff) {
        this.sessions.delete(id);
        dropped++;
      }
    }
    for (const [recipient, list] of this.inboxes) {
      const keep = list.filter((i) => i.created_at >= cutoff);
      dropped += list.length - keep.length;
      if (keep.length === 0) this.inboxes.delete(recipient);
      else this.inboxes.set(recipient, keep);
    }
    return dropped;
  }
}

function link(index: Map<string, Set<string>>, from: string, to: string): void {
  let set = index.get(from);
  if (!set) index.set(from, (set = new Set()));
  set.add(to);
}
