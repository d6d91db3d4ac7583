/**
 * One PostgreSQL transaction of the store (schema.ts, `transact`), shared by the `transact` calls in flight in
 * this process: they run one after another on it (`run`), each seeing the writes of those before it, and commit
 * together — one COMMIT, one fsync, for all of them (the file store batches the same way). A call that throws
 * takes back its own writes and seqs only.
 *
 * Why the change counter is locked first, not last as sequences.ts first planned: `addInbox` is synchronous and
 * returns the item with its seq (a caller may hand that seq back at once, as `send_message` does), so the seqs a
 * transaction gives must be known before it writes. Holding the counter from the start makes writers take turns
 * for the whole transaction (reads included) — on one database, a few round trips each — and in exchange every
 * read in it sees the latest commit, nothing it read can change under it (every other writer waits for the
 * counter), no row lock is needed for reads, and no deadlock is possible. Renewals (no seq) only touch a claim's
 * expiry and never wait for the counter.
 *
 * Writes are buffered (overlaying the reads, so the transaction sees its own writes) and sent at the end in one
 * statement (task-rows.ts `writeAll`): tasks, inbox items, sessions, the counter and the notification.
 */
import type { InboxItem, NewInboxItem } from '../../model/inbox.js';
import type { Session } from '../../model/session.js';
import type { Claim, Task } from '../../model/task.js';
import type { Transaction } from '../task-store.js';
import { SESSION_JSON, TASK_JSON } from './schema.js';
import { allocateRecipientSeqs } from './sequences.js';
import type { TransactionClient } from './sequences.js';
import { writeAll } from './task-rows.js';

export class PostgresTransaction implements Transaction {
  /** Tasks as this transaction sees them: read (null: not there) or written. */
  private readonly tasks = new Map<string, Task | null>();
  private readonly written = new Map<string, Task>();
  private readonly sessions = new Map<string, Session | null>();
  private readonly writtenSessions = new Map<string, Session>();
  private readonly items: InboxItem[] = [];
  private seq: number;

  /**
   * @param head the counter's value, locked by this transaction
   * @param now the database's time when the transaction began (store time: claims and expiries use it)
   */
  constructor(
    private readonly client: TransactionClient,
    private readonly head: number,
    private readonly now: Date,
  ) {
    this.seq = head;
  }

  /** The database's time at the start of this transaction. */
  storeTime(): Date {
    return this.now;
  }

  async getTask(id: string): Promise<Task | undefined> {
    if (!this.tasks.has(id)) {
      const result = await this.client.query<{ t: Task }>(`SELECT ${TASK_JSON} AS t FROM tasks WHERE id = $1`, [id]);
      this.tasks.set(id, result.rows[0]?.t ?? null);
    }
    return this.tasks.get(id) ?? undefined;
  }

  children(id: string): Promise<Task[]> {
    return this.related('parent_task_id = $1', id, (t) => t.parent_task_id === id);
  }

  dependants(id: string): Promise<Task[]> {
    return this.related('depends_on @> ARRAY[$1::text]', id, (t) => t.depends_on.includes(id));
  }

  putTask(task: Task): void {
    const existing = this.tasks.get(task.id);
    const seq = this.next();
    const created_seq = existing ? existing.created_seq : seq;
    // Its place in the seq order is the last write's: written again, it moves to the end.
    this.written.delete(task.id);
    const stored: Task = { ...task, seq, created_seq };
    this.written.set(task.id, stored);
    this.tasks.set(task.id, stored);
  }

  addInbox(item: NewInboxItem): InboxItem {
    const full: InboxItem = { seq: this.next(), ...item };
    this.items.push(full);
    return full;
  }

  async getSession(id: string): Promise<Session | undefined> {
    if (!this.sessions.has(id)) {
      const result = await this.client.query<{ s: Session }>(
        `SELECT ${SESSION_JSON} AS s FROM sessions WHERE id = $1`,
        [id],
      );
      this.sessions.set(id, result.rows[0]?.s ?? null);
    }
    return this.sessions.get(id) ?? undefined;
  }

  putSession(session: Session): void {
    const stored: Session = { ...session, seq: this.next() };
    this.writtenSessions.delete(session.id);
    this.writtenSessions.set(session.id, stored);
    this.sessions.set(session.id, stored);
  }

  async claim(taskId: string, runner: string, leaseMs: number): Promise<Claim | null> {
    const task = await this.getTask(taskId);
    if (!task || !claimableBy(task, runner, this.now)) return null;
    const epoch = task.lease_epoch + 1;
    const claim = { runner, epoch, expires_at: new Date(this.now.getTime() + leaseMs).toISOString() };
    this.putTask({ ...task, claim, lease_epoch: epoch });
    return { task_id: taskId, ...claim };
  }

  /**
   * Runs one `transact` function on this transaction. If it throws, what it wrote is taken back (the ones before
   * and after it are unaffected), and its seqs are given to the next.
   */
  async run<T>(fn: (tx: Transaction) => Promise<T> | T): Promise<T> {
    const saved = {
      seq: this.seq,
      items: this.items.length,
      tasks: new Map(this.tasks),
      written: new Map(this.written),
      sessions: new Map(this.sessions),
      writtenSessions: new Map(this.writtenSessions),
    };
    try {
      return await fn(this);
    } catch (error) {
      this.seq = saved.seq;
      this.items.length = saved.items;
      restore(this.tasks, saved.tasks);
      restore(this.written, saved.written);
      restore(this.sessions, saved.sessions);
      restore(this.writtenSessions, saved.writtenSessions);
      throw error;
    }
  }

  /** Whether anything was written. */
  get changed(): boolean {
    return this.seq > this.head;
  }

  /** Sends the buffered writes, the counter and the notification; the caller commits. Returns the last seq. */
  async write(): Promise<number> {
    const counts = new Map<string, number>();
    for (const item of this.items) counts.set(item.recipient, (counts.get(item.recipient) ?? 0) + 1);
    const firsts = counts.size > 0 ? await allocateRecipientSeqs(this.client, counts) : new Map<string, number>();
    const numbered = this.items.map((item) => {
      const n = firsts.get(item.recipient) as number;
      firsts.set(item.recipient, n + 1);
      return { ...item, recipient_seq: n };
    });
    await writeAll(this.client, {
      tasks: [...this.written.values()],
      items: numbered,
      sessions: [...this.writtenSessions.values()],
      seq: this.seq,
    });
    return this.seq;
  }

  private next(): number {
    return ++this.seq;
  }

  /** The stored tasks `where` selects, as this transaction sees them, plus the ones it wrote that match. */
  private async related(where: string, id: string, matches: (task: Task) => boolean): Promise<Task[]> {
    const result = await this.client.query<{ t: Task }>(
      `SELECT ${TASK_JSON} AS t FROM tasks WHERE ${where} ORDER BY created_seq`,
      [id],
    );
    const found = new Map<string, Task>();
    for (const { t } of result.rows) {
      if (!this.tasks.has(t.id)) this.tasks.set(t.id, t);
      const seen = this.tasks.get(t.id);
      if (seen && matches(seen)) found.set(t.id, seen);
    }
    for (const task of this.written.values()) if (matches(task)) found.set(task.id, task);
    return [...found.values()];
  }
}

function restore<V>(map: Map<string, V>, saved: ReadonlyMap<string, V>): void {
  map.clear();
  for (const [key, value] of saved) map.set(key, value);
}

/** Whether `runner` may take the task's claim at store time `now`: `in_progress`, and free, expired or its own. */
function claimableBy(task: Task, runner: string, now: Date): boolean {
  if (task.status !== 'in_progress') return false;
  return task.claim === null || task.claim.runner === runner || task.claim.expires_at <= now.toISOString();
}
