/**
 * The in-memory image of a store file: tasks in creation order (which is `created_seq` order: records are applied
 * in commit order), sessions, inboxes, and the indexes queries need. Pure data structure; no I/O.
 */
import type { InboxItem } from '../../model/inbox.js';
import type { Session } from '../../model/session.js';
import { isTerminal } from '../../model/task.js';
import type { Task } from '../../model/task.js';
import type { Change } from '../task-store.js';
import type { JournalRecord } from './stored-records.js';

export class StoreState {
  readonly tasks = new Map<string, Task>();
  readonly sessions = new Map<string, Session>();
  /** Task ids in creation order, for finding a cursor's position by binary search. */
  readonly order: string[] = [];
  /** Ids of tasks that are not terminal. */
  readonly live = new Set<string>();
  /** The highest change sequence number applied. */
  seq = 0;
  private readonly children = new Map<string, Set<string>>();
  private readonly dependants = new Map<string, Set<string>>();
  private readonly inboxes = new Map<string, InboxItem[]>();

  /** Applies one record; returns the change it is, or null (a renewal, a replayed duplicate). */
  apply(record: JournalRecord): Change | null {
    if ('task' in record) {
      this.putTask(record.task);
      return { seq: record.task.seq, kind: 'task', task: record.task };
    }
    if ('inbox' in record)
      return this.addInbox(record.inbox) ? { seq: record.inbox.seq, kind: 'inbox', item: record.inbox } : null;
    if ('session' in record) {
      this.sessions.set(record.session.id, record.session);
      this.bump(record.session.seq);
      return { seq: record.session.seq, kind: 'session', session: record.session };
    }
    const task = this.tasks.get(record.lease.task_id);
    if (task?.claim && task.claim.epoch === record.lease.epoch) {
      this.tasks.set(task.id, { ...task, claim: { ...task.claim, expires_at: record.lease.expires_at } });
    }
    return null;
  }

  /** Inserts or replaces a task. A new id goes last in creation order (Map insertion order). */
  putTask(task: Task): void {
    if (!this.tasks.has(task.id)) {
      if (task.parent_task_id) link(this.children, task.parent_task_id, task.id);
      for (const dep of task.depends_on) link(this.dependants, dep, task.id);
      this.order.push(task.id);
    }
    this.tasks.set(task.id, task);
    if (isTerminal(task.status)) this.live.delete(task.id);
    else this.live.add(task.id);
    this.bump(task.seq);
  }

  /** Adds an inbox item; false for one already applied (items of a recipient arrive in seq order). */
  addInbox(item: InboxItem): boolean {
    let list = this.inboxes.get(item.recipient);
    if (!list) this.inboxes.set(item.recipient, (list = []));
    const last = list[list.length - 1];
    if (last && last.seq >= item.seq) return false;
    list.push(item);
    this.bump(item.seq);
    return true;
  }

  childrenOf(id: string): Task[] {
    return this.resolve(this.children.get(id));
  }

  dependantsOf(id: string): Task[] {
    return this.resolve(this.dependants.get(id));
  }

  /** The ids of the children of `id` (no copy). */
  childIds(id: string): ReadonlySet<string> | undefined {
    return this.children.get(id);
  }

  dependantIds(id: string): ReadonlySet<string> | undefined {
    return this.dependants.get(id);
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

  allInbox(): InboxItem[] {
    return [...this.inboxes.values()].flat().sort((a, b) => a.seq - b.seq);
  }

  /** Every stored record with seq > `since`, in seq order, as changes (tasks and sessions in their latest version). */
  changesSince(since: number): Change[] {
    const changes: Change[] = [];
    for (const task of this.tasks.values()) if (task.seq > since) changes.push({ seq: task.seq, kind: 'task', task });
    for (const list of this.inboxes.values()) {
      for (let i = list.length - 1; i >= 0 && (list[i] as InboxItem).seq > since; i--) {
        const item = list[i] as InboxItem;
        changes.push({ seq: item.seq, kind: 'inbox', item });
      }
    }
    for (const session of this.sessions.values()) {
      if (session.seq > since) changes.push({ seq: session.seq, kind: 'session', session });
    }
    return changes.sort((a, b) => a.seq - b.seq);
  }

  /** Drops terminal tasks finished before `cutoff`, and sessions and inbox items last touched before it. */
  prune(cutoff: string): number {
    let dropped = 0;
    for (const [id, task] of this.tasks) {
      if (isTerminal(task.status) && task.finished_at !== null && task.finished_at < cutoff) {
        this.tasks.delete(id);
        dropped++;
      }
    }
    if (dropped > 0) this.reindex();
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

  /** Whether `prune(cutoff)` would drop a task. */
  prunable(cutoff: string): boolean {
    for (const task of this.tasks.values()) {
      if (isTerminal(task.status) && task.finished_at !== null && task.finished_at < cutoff) return true;
    }
    return false;
  }

  /** Rebuilds the indexes from the tasks (after pruning, or after sequence numbers were assigned on upgrade). */
  reindex(): void {
    const kept = [...this.tasks.values()].sort((a, b) => a.created_seq - b.created_seq);
    this.tasks.clear();
    this.children.clear();
    this.dependants.clear();
    this.live.clear();
    this.order.length = 0;
    for (const task of kept) this.putTask(task);
  }

  private bump(seq: number): void {
    if (seq > this.seq) this.seq = seq;
  }

  private resolve(ids: ReadonlySet<string> | undefined): Task[] {
    if (!ids) return [];
    return [...ids].map((c) => this.tasks.get(c)).filter((t): t is Task => t !== undefined);
  }
}

function link(index: Map<string, Set<string>>, from: string, to: string): void {
  let set = index.get(from);
  if (!set) index.set(from, (set = new Set()));
  set.add(to);
}
