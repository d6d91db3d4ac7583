/**
 * One transaction of the file store, run under the lock on fresh state: it buffers its records (so that a throwing
 * function changes nothing), sees its own writes, and gives each record the next change sequence number.
 */
import type { InboxItem, NewInboxItem } from '../../model/inbox.js';
import type { Session } from '../../model/session.js';
import type { Claim, Task } from '../../model/task.js';
import type { Transaction } from '../task-store.js';
import type { StoreState } from './store-state.js';
import type { JournalRecord } from './stored-records.js';

export class FileTransaction implements Transaction {
  private readonly pending: JournalRecord[] = [];
  private readonly tasks = new Map<string, Task>();
  private readonly sessions = new Map<string, Session>();
  private seq: number;

  constructor(
    private readonly state: StoreState,
    private readonly now: () => Date,
  ) {
    this.seq = state.seq;
  }

  /** What the transaction wrote, in seq order (a record written twice only in its last version). */
  get records(): JournalRecord[] {
    return this.pending;
  }

  async getTask(id: string): Promise<Task | undefined> {
    return this.task(id);
  }

  async children(id: string): Promise<Task[]> {
    return this.related(this.state.childIds(id), (t) => t.parent_task_id === id);
  }

  async dependants(id: string): Promise<Task[]> {
    return this.related(this.state.dependantIds(id), (t) => t.depends_on.includes(id));
  }

  putTask(task: Task): void {
    const existing = this.task(task.id);
    const seq = ++this.seq;
    const stored: Task = { ...task, seq, created_seq: existing ? existing.created_seq : seq };
    if (this.tasks.has(task.id)) this.replace((r) => 'task' in r && r.task.id === task.id, { task: stored });
    else this.pending.push({ task: stored });
    this.tasks.set(task.id, stored);
  }

  addInbox(item: NewInboxItem): InboxItem {
    const full: InboxItem = { seq: ++this.seq, ...item };
    this.pending.push({ inbox: full });
    return full;
  }

  async getSession(id: string): Promise<Session | undefined> {
    return this.sessions.get(id) ?? this.state.sessions.get(id);
  }

  putSession(session: Session): void {
    const stored: Session = { ...session, seq: ++this.seq };
    if (this.sessions.has(session.id))
      this.replace((r) => 'session' in r && r.session.id === session.id, { session: stored });
    else this.pending.push({ session: stored });
    this.sessions.set(session.id, stored);
  }

  storeTime(): Date {
    return this.now();
  }

  async claim(taskId: string, runner: string, leaseMs: number): Promise<Claim | null> {
    const task = this.task(taskId);
    if (!task || !claimable(task, runner, this.now())) return null;
    const epoch = task.lease_epoch + 1;
    const claim = { runner, epoch, expires_at: new Date(this.now().getTime() + leaseMs).toISOString() };
    this.putTask({ ...task, claim, lease_epoch: epoch });
    return { task_id: taskId, ...claim };
  }

  private task(id: string): Task | undefined {
    return this.tasks.get(id) ?? this.state.tasks.get(id);
  }

  /** The tasks an index names, plus the ones this transaction created, as this transaction sees them. */
  private related(ids: readonly string[], matches: (task: Task) => boolean): Task[] {
    const found = new Map<string, Task>();
    for (const id of ids) {
      const task = this.task(id);
      if (task) found.set(id, task);
    }
    for (const task of this.tasks.values()) if (matches(task)) found.set(task.id, task);
    return [...found.values()];
  }

  /** Drops an earlier record of the same id, so the journal and the feed carry each record once per transaction. */
  private replace(same: (record: JournalRecord) => boolean, record: JournalRecord): void {
    const at = this.pending.findIndex(same);
    if (at !== -1) this.pending.splice(at, 1);
    this.pending.push(record);
  }
}

/** Whether `runner` may take the task's claim now: `in_progress`, and the claim free, expired, or its own. */
export function claimable(task: Task, runner: string, now: Date): boolean {
  if (task.status !== 'in_progress') return false;
  return task.claim === null || task.claim.runner === runner || task.claim.expires_at <= now.toISOString();
}
