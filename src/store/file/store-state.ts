/**
 * The in-memory image of a store file: tasks in creation order (which is `created_seq` order: records are applied
 * in commit order), sessions, inboxes, and the indexes queries need. Pure data structure; no I/O.
 *
 * Applying a record is idempotent and never goes back: a task or session record no newer (by `seq`) than the one
 * held is skipped, so a journal may be replayed over a snapshot that already holds some of its records (a snapshot
 * written while appends went on, `store-files.ts`).
 */
import type { InboxItem } from '../../model/inbox.js';
import type { Session } from '../../model/session.js';
import { isTerminal } from '../../model/task.js';
import type { Task } from '../../model/task.js';
import { withoutYoungGrowthSync } from '../../util/young-generation.js';
import type { Change } from '../task-store.js';
import type { JournalRecord } from './stored-records.js';
import { TaskIndex, dropAll, lowerBound } from './task-index.js';

/**
 * The keys a task is indexed under: one per indexed field, `field:value` (a null field has none). Only these
 * fields of the record are assumed here; the rest of it is the model's.
 */
export function indexKeys(task: Task): string[] {
  const keys = [`d:${task.delegated_by}`, `a:${task.assignee_id}`, `s:${task.status}`];
  // Party and status together, as `list_tasks` with a status filter asks: exact lists, however the two mix.
  keys.push(`ds:${task.status}:${task.delegated_by}`, `as:${task.status}:${task.assignee_id}`);
  // A root is not listed under itself (most tasks are roots: a list each would cost memory); see `rootIds`.
  if (task.root_task_id !== task.id) keys.push(`r:${task.root_task_id}`);
  if (task.group !== null) keys.push(`g:${task.group}`);
  if (task.parent_task_id !== null) keys.push(`p:${task.parent_task_id}`);
  for (const dep of task.depends_on) keys.push(`o:${dep}`);
  return keys;
}

export class StoreState {
  readonly tasks = new Map<string, Task>();
  readonly sessions = new Map<string, Session>();
  /** Task ids in creation order, for finding a cursor's position by binary search. */
  readonly order: string[] = [];
  /** The highest change sequence number applied. */
  seq = 0;
  /** Raised by every `reindex`: a walk over `tasks` begun before it (a compaction) is no longer valid. */
  rebuilds = 0;
  /** Tasks by `indexKeys`, each list in creation order; built at its first use, not while a store is loaded. */
  private readonly index = new TaskIndex((id) => (this.tasks.get(id) as Task).created_seq);
  private indexed = false;
  readonly inboxes = new Map<string, InboxItem[]>();

  /** Applies one record; returns the change it is, or null (a renewal, a replayed duplicate). */
  apply(record: JournalRecord): Change | null {
    if ('task' in record) {
      const held = this.tasks.get(record.task.id);
      if (held && record.task.seq > 0 && held.seq >= record.task.seq) return null; // seq 0: a version-1 file
      this.putTask(record.task);
      return { seq: record.task.seq, kind: 'task', task: record.task };
    }
    if ('inbox' in record)
      return this.addInbox(record.inbox) ? { seq: record.inbox.seq, kind: 'inbox', item: record.inbox } : null;
    if ('session' in record) {
      const held = this.sessions.get(record.session.id);
      if (held && record.session.seq > 0 && held.seq >= record.session.seq) return null;
      this.sessions.set(record.session.id, record.session);
      this.bump(record.session.seq);
      return { seq: record.session.seq, kind: 'session', session: record.session };
    }
    const task = this.tasks.get(record.lease.task_id);
    if (task?.claim && task.claim.epoch === record.lease.epoch && task.claim.expires_at < record.lease.expires_at) {
      this.tasks.set(task.id, { ...task, claim: { ...task.claim, expires_at: record.lease.expires_at } });
    }
    return null;
  }

  /** Inserts or replaces a task. A new id goes last in creation order (Map insertion order). */
  putTask(task: Task): void {
    const held = this.tasks.get(task.id);
    this.tasks.set(task.id, task);
    if (!held) {
      this.order.push(task.id);
      if (this.indexed) for (const key of indexKeys(task)) this.index.add(key, task.id, task.created_seq);
    } else if (this.indexed && !sameIndexed(held, task)) {
      const before = indexKeys(held);
      const after = indexKeys(task);
      for (const key of before) if (!after.includes(key)) this.index.remove(key, task.id, task.created_seq);
      for (const key of after) if (!before.includes(key)) this.index.add(key, task.id, task.created_seq);
    }
    this.bump(task.seq);
  }

  /** The ids of the tasks with an index key, in creation order (no copy). */
  ids(key: string): readonly string[] {
    return this.indexOf().list(key);
  }

  /** The index, built now if this is its first use (in creation order: every add appends). */
  private indexOf(): TaskIndex {
    if (!this.indexed) {
      withoutYoungGrowthSync(() => {
        for (const id of this.order) {
          const task = this.tasks.get(id) as Task;
          for (const key of indexKeys(task)) this.index.add(key, id, task.created_seq);
        }
      });
      this.indexed = true;
    }
    return this.index;
  }

  /** The position in `ids` of the first task with `created_seq >= seq`. */
  position(ids: readonly string[], seq: number): number {
    return lowerBound(ids, seq, (id) => (this.tasks.get(id) as Task).created_seq);
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

  /** The tasks of the tree rooted at `id`, in creation order: the root (created first) and then the rest. */
  rootIds(id: string): readonly string[] {
    const rest = this.ids(`r:${id}`);
    return this.tasks.get(id)?.root_task_id === id ? [id, ...rest] : rest;
  }

  /** The ids of the children of `id` (no copy). */
  childIds(id: string): readonly string[] {
    return this.ids(`p:${id}`);
  }

  dependantIds(id: string): readonly string[] {
    return this.ids(`o:${id}`);
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

  /**
   * Drops terminal tasks finished before `cutoff`, and sessions and inbox items last touched before it. With
   * `candidates` (the ids a walk in slices found expired, `expired-tasks.ts`) only those tasks are looked at.
   */
  prune(cutoff: string, candidates?: Iterable<string>): number {
    const gone: Task[] = [];
    for (const id of candidates ?? this.tasks.keys()) {
      const task = this.tasks.get(id);
      if (task && expired(task, cutoff)) gone.push(task);
    }
    this.dropTasks(gone);
    let dropped = gone.length;
    for (const [id, session] of this.sessions) {
      if (session.updated_at < cutoff) {
        this.sessions.delete(id);
        dropped++;
      }
    }
    for (const [recipient, list] of this.inboxes) {
      // A recipient's items are in seq order, each written when it was made: when the first is kept, all are.
      if ((list[0]?.created_at ?? '') >= cutoff) continue;
      const keep = list.filter((i) => i.created_at >= cutoff);
      dropped += list.length - keep.length;
      if (keep.length === 0) this.inboxes.delete(recipient);
      else this.inboxes.set(recipient, keep);
    }
    return dropped;
  }

  /**
   * Drops tasks from the map, `order` and the index in place (no rebuild: a walk over `tasks` under way stays valid,
   * and the cost is the dropped tasks' lookups plus one move of each list's rest, not a re-put of every task).
   */
  private dropTasks(gone: Task[]): void {
    if (gone.length === 0) return;
    gone.sort((a, b) => a.created_seq - b.created_seq);
    const createdSeq = (id: string) => (this.tasks.get(id) as Task).created_seq;
    dropAll(this.order, gone, createdSeq);
    if (this.indexed) {
      const byKey = new Map<string, Task[]>();
      for (const task of gone) {
        for (const key of indexKeys(task)) {
          const list = byKey.get(key);
          if (list) list.push(task);
          else byKey.set(key, [task]);
        }
      }
      for (const [key, tasks] of byKey) this.index.removeAll(key, tasks);
    }
    for (const task of gone) this.tasks.delete(task.id);
  }

  /** Whether `prune(cutoff)` would drop a session or an inbox item (a look at each session and each inbox's first). */
  prunableRest(cutoff: string): boolean {
    for (const session of this.sessions.values()) if (session.updated_at < cutoff) return true;
    for (const list of this.inboxes.values()) if ((list[0]?.created_at ?? '') < cutoff) return true;
    return false;
  }

  /** Whether `prune(cutoff)` would drop a task. */
  prunable(cutoff: string): boolean {
    for (const task of this.tasks.values()) if (expired(task, cutoff)) return true;
    return false;
  }

  /** Whether the tasks came in creation order (a store written by Baton always does; a hand-edited one may not). */
  inCreationOrder(): boolean {
    let last = -Infinity;
    for (const task of this.tasks.values()) {
      if (task.created_seq < last) return false;
      last = task.created_seq;
    }
    return true;
  }

  /** Rebuilds the indexes from the tasks (after pruning, or after sequence numbers were assigned on upgrade). */
  reindex(): void {
    const kept = [...this.tasks.values()].sort((a, b) => a.created_seq - b.created_seq);
    this.tasks.clear();
    this.index.clear();
    this.indexed = false;
    this.order.length = 0;
    this.rebuilds++;
    for (const task of kept) this.putTask(task);
  }

  private bump(seq: number): void {
    if (seq > this.seq) this.seq = seq;
  }
}

/** Whether a task is past retention: terminal and finished before `cutoff`. */
export function expired(task: Task, cutoff: string): boolean {
  return isTerminal(task.status) && task.finished_at !== null && task.finished_at < cutoff;
}

/** Whether two versions of a task have the same indexed fields (most updates: progress, claims, results). */
function sameIndexed(a: Task, b: Task): boolean {
  return (
    a.status === b.status &&
    a.delegated_by === b.delegated_by &&
    a.assignee_id === b.assignee_id &&
    a.group === b.group &&
    a.parent_task_id === b.parent_task_id &&
    a.root_task_id === b.root_task_id &&
    a.depends_on.length === b.depends_on.length &&
    a.depends_on.every((d, i) => d === b.depends_on[i])
  );
}
