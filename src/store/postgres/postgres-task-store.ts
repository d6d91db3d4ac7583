/**
 * The task store on PostgreSQL (SPEC §9): several Baton servers and workers, on several machines, share one
 * database. schema.ts is the plan of every operation; this class puts the parts together: the pool and the
 * migrations (database.ts), transactions (postgres-transaction.ts, on transaction.ts's retry), the change feed
 * (the LISTEN connection of change-listener.ts feeding postgres-change-feed.ts), claims as conditional updates
 * on database time, and retention pruning. The only place, with its folder, that imports `pg`.
 */
import { BatonError, LeaseLostError, StoreError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import type { InboxItem } from '../../model/inbox.js';
import type { Session } from '../../model/session.js';
import type { Claim, Task } from '../../model/task.js';
import { encodeCursor, sortKey } from '../cursor.js';
import type {
  Change,
  StoreOpenOptions,
  TaskPage,
  TaskQuery,
  TaskStore,
  Transaction,
  TransactOptions,
} from '../task-store.js';
import { releaseClaim } from '../release.js';
import { PostgresChangeFeed } from './postgres-change-feed.js';
import { PostgresChangeListener } from './change-listener.js';
import { connectionError } from './connection.js';
import { openDatabase } from './database.js';
import type { PostgresDatabase } from './database.js';
import { PostgresTransaction } from './postgres-transaction.js';
import { prune } from './retention.js';
import { INBOX_JSON, SESSION_JSON, TASK_JSON } from './schema.js';
import { headSeq, lockChangeCounter, notifyChange, setChangeCounter } from './sequences.js';
import { inTransaction } from './transaction.js';
import { countSql, findSql } from './task-query.js';

const DAY = 24 * 3600 * 1000;

export interface PostgresStoreOptions extends StoreOpenOptions {
  url: string;
  log?: Logger;
  /** The change feed's fallback poll, in ms. Default 1000. */
  pollMs?: number;
  /** How often to prune, in ms (and once at open). Default one hour. */
  pruneEveryMs?: number;
  /** Pool size. Default 10. */
  maxConnections?: number;
}

/** Claims a task: a conditional update on database time; SKIP LOCKED passes over a row being changed now. */
const CLAIM = `
UPDATE tasks SET claim_runner = $2, lease_epoch = lease_epoch + 1, claim_epoch = lease_epoch + 1,
  claim_expires_at = statement_timestamp() + $3 * interval '1 ms', seq = $4
WHERE id = (SELECT id FROM tasks WHERE id = $1 AND status = 'in_progress'
  AND (claim_runner IS NULL OR claim_runner = $2 OR claim_expires_at <= statement_timestamp())
  FOR UPDATE SKIP LOCKED)
RETURNING ${TASK_JSON} AS t`;

/** Extends the claims still held; a renewal is not a change (no seq). */
const RENEW = `
UPDATE tasks t SET claim_expires_at = statement_timestamp() + $1 * interval '1 ms'
FROM unnest($2::text[], $3::text[], $4::bigint[]) AS c(id, runner, epoch)
WHERE t.id = c.id AND t.claim_runner = c.runner AND t.claim_epoch = c.epoch
RETURNING t.id, t.claim_epoch`;

/** At most this many `transact` calls share one PostgreSQL transaction. */
const MAX_BATCH = 64;

/** A `transact` call waiting for its batch. */
interface Pending {
  fn: (tx: Transaction) => unknown;
  fence: Claim | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Refuses the write unless the fence's claim is still held, as the batch sees it before this call. */
async function checkFence(tx: Transaction, fence: Claim): Promise<void> {
  const held = (await tx.getTask(fence.task_id))?.claim;
  if (!held || held.runner !== fence.runner || held.epoch !== fence.epoch) throw new LeaseLostError(fence.task_id);
}

export class PostgresTaskStore implements TaskStore {
  private closed = false;
  private closing = false;
  private listener: PostgresChangeListener | null = null;
  private listening: Promise<void> | null = null;
  private pruner: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private queue: Pending[] = [];
  private batching: Promise<void> | null = null;
  private readonly feed: PostgresChangeFeed;
  private readonly log: Logger;

  private constructor(
    private readonly db: PostgresDatabase,
    private readonly options: PostgresStoreOptions,
  ) {
    this.log = options.log ?? silentLogger;
    this.feed = new PostgresChangeFeed(db.pool, this.log);
  }

  /**
   * Connects, migrates (or, read-only, checks the version), checks the tables can be read, prunes, and starts
   * listening. Any failure is one `StoreError` line and leaves the database as it was.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresTaskStore> {
    const db = await openDatabase(options.url, {
      readOnly: options.readOnly,
      log: options.log,
      max: options.maxConnections,
    });
    const store = new PostgresTaskStore(db, options);
    try {
      await store.check();
      if (!options.readOnly) {
        await store.prune();
        await store.listen();
        const every = options.pruneEveryMs ?? 3600_000;
        store.pruner = setInterval(() => void store.prune(), every);
        store.pruner.unref();
      }
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error instanceof StoreError ? error : connectionError(db.where, error);
    }
    return store;
  }

  // ---- reads ----------------------------------------------------------------------------------------------

  async getTask(id: string): Promise<Task | undefined> {
    const rows = await this.query<{ t: Task }>(`SELECT ${TASK_JSON} AS t FROM tasks WHERE id = $1`, [id]);
    return rows[0]?.t;
  }

  async getTasks(ids: readonly string[]): Promise<Task[]> {
    if (ids.length === 0) return [];
    const rows = await this.query<{ t: Task }>(`SELECT ${TASK_JSON} AS t FROM tasks WHERE id = ANY($1::text[])`, [
      [...ids],
    ]);
    const byId = new Map(rows.map(({ t }) => [t.id, t]));
    return ids.map((id) => byId.get(id)).filter((t): t is Task => t !== undefined);
  }

  async findTasks(query: TaskQuery): Promise<TaskPage> {
    const { sql, order, limit } = findSql(query);
    const rows = await this.query<{ t: Task }>(sql.text, sql.values);
    const tasks = rows.slice(0, limit).map((r) => r.t);
    const last = tasks[tasks.length - 1];
    return { tasks, next_cursor: rows.length > limit && last ? encodeCursor(order, sortKey(last, order)) : null };
  }

  async countTasks(query: TaskQuery): Promise<number> {
    const sql = countSql(query);
    const rows = await this.query<{ n: string }>(sql.text, sql.values);
    return Number(rows[0]?.n ?? 0);
  }

  async inbox(recipient: string, after: number, limit: number): Promise<InboxItem[]> {
    const rows = await this.query<{ i: InboxItem }>(
      `SELECT ${INBOX_JSON} AS i FROM inbox WHERE recipient = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [recipient, after, limit],
    );
    return rows.map((r) => r.i);
  }

  async getSession(id: string): Promise<Session | undefined> {
    const rows = await this.query<{ s: Session }>(`SELECT ${SESSION_JSON} AS s FROM sessions WHERE id = $1`, [id]);
    return rows[0]?.s;
  }

  async headSeq(): Promise<number> {
    this.open();
    return this.guard(() => headSeq(this.db.pool));
  }

  subscribe(sinceSeq: number, listener: (change: Change) => void): () => void {
    if (!this.closed && !this.listener) {
      // Read-only stores listen only once someone subscribes.
      this.listen().catch((error: unknown) =>
        this.log.warn('could not listen for store changes', { error: errorMessage(error) }),
      );
    }
    return this.feed.subscribe(sinceSeq, listener);
  }

  // ---- writes ---------------------------------------------------------------------------------------------

  /**
   * Queues `fn` for the next batch: the calls made while a batch commits share the next PostgreSQL transaction
   * (postgres-transaction.ts), so that a busy process pays one COMMIT for many changes.
   */
  transact<T>(fn: (tx: Transaction) => Promise<T> | T, options: TransactOptions = {}): Promise<T> {
    try {
      this.writable();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, fence: options.fence, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleBatch();
    });
  }

  async claim(taskId: string, runner: string, leaseMs: number): Promise<Claim | null> {
    this.writable();
    return this.write(async (client) => {
      const { seq } = await lockChangeCounter(client);
      const result = await client.query<{ t: Task }>(CLAIM, [taskId, runner, leaseMs, seq + 1]);
      const task = result.rows[0]?.t;
      if (!task?.claim) return null;
      await setChangeCounter(client, seq + 1);
      await notifyChange(client, seq + 1);
      return { task_id: task.id, ...task.claim };
    });
  }

  async renew(claims: readonly Claim[], leaseMs: number): Promise<Claim[]> {
    if (claims.length === 0) return [];
    this.writable();
    const rows = await this.query<{ id: string; claim_epoch: string }>(RENEW, [
      leaseMs,
      claims.map((c) => c.task_id),
      claims.map((c) => c.runner),
      claims.map((c) => c.epoch),
    ]);
    const held = new Set(rows.map((r) => `${r.id}\u0000${r.claim_epoch}`));
    return claims.filter((c) => !held.has(`${c.task_id}\u0000${c.epoch}`));
  }

  release(claim: Claim, options: { refundAttempt?: boolean } = {}): Promise<void> {
    return releaseClaim(this, claim, options);
  }

  /** Waits for writes in flight, then stops listening and closes the pool. */
  async close(): Promise<void> {
    if (this.closing) return;
    // New calls are refused from here; the ones already queued are written first.
    this.closing = true;
    if (this.pruner) clearInterval(this.pruner);
    while (this.batching) await this.batching;
    await Promise.allSettled([...this.inFlight]);
    this.closed = true;
    await this.listening?.catch(() => undefined);
    await this.listener?.close();
    await this.feed.settled();
    await this.db.close();
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private scheduleBatch(): void {
    if (this.batching) return;
    this.batching = (async () => {
      // Calls made in the same turn join the first batch; the ones made while it commits, the next.
      await Promise.resolve();
      while (this.queue.length > 0) await this.runBatch(this.queue.splice(0, MAX_BATCH));
      this.batching = null;
    })();
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    let outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.write(async (client) => {
        outcomes = [];
        const { seq, now } = await lockChangeCounter(client);
        const tx = new PostgresTransaction(client, seq, now);
        for (const pending of batch) {
          try {
            const value = await tx.run(async (view) => {
              if (pending.fence) await checkFence(view, pending.fence);
              return pending.fn(view);
            });
            outcomes.push({ ok: true, value });
          } catch (error) {
            // A failed statement aborts the whole PostgreSQL transaction: the batch fails (or is retried).
            if (!(error instanceof BatonError) && isPgError(error)) throw error;
            outcomes.push({ ok: false, error });
          }
        }
        if (tx.changed) await tx.write();
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) pending.resolve(outcome.value);
      else pending.reject(outcome?.error);
    });
  }

  private async listen(): Promise<void> {
    this.listening ??= PostgresChangeListener.start({
      client: this.db.clientConfig,
      head: () => headSeq(this.db.pool),
      onChange: () => this.feed.pump(),
      pollMs: this.options.pollMs,
      log: this.log,
    }).then((listener) => {
      if (this.closed) void listener.close();
      else this.listener = listener;
    });
    await this.listening;
  }

  private async check(): Promise<void> {
    try {
      await headSeq(this.db.pool);
      await this.db.pool.query('SELECT 1 FROM tasks, inbox, sessions, inbox_counters LIMIT 0');
      const counter = await this.db.pool.query("SELECT 1 FROM counters WHERE name = 'change'");
      if (counter.rowCount === 0) throw new Error("the counters table has no 'change' row");
    } catch (error) {
      throw new StoreError(
        `cannot read the PostgreSQL store at ${this.db.where}: ${errorMessage(error)} ` +
          '(it was left untouched; was its schema changed by hand?)',
        { cause: error },
      );
    }
  }

  private async prune(): Promise<void> {
    if (this.closed) return;
    try {
      const dropped = await prune(this.db.pool, this.options.retentionMs ?? 30 * DAY);
      if (dropped > 0) this.log.info('pruned ended tasks past retention', { rows: dropped });
    } catch (error) {
      this.log.warn('could not prune the store', { error: errorMessage(error) });
    }
  }

  private open(): void {
    if (this.closed) throw new StoreError('the store is closed');
  }

  private writable(): void {
    if (this.closing) throw new StoreError('the store is closed');
    if (this.options.readOnly) throw new StoreError('the store was opened read-only');
  }

  private async query<R extends object>(text: string, values: unknown[]): Promise<R[]> {
    this.open();
    return this.guard(async () => (await this.db.pool.query<R>(text, values)).rows);
  }

  /** One write transaction; once it commits, this process's subscribers hear of it without waiting for NOTIFY. */
  private async write<T>(fn: (client: Parameters<Parameters<typeof inTransaction>[1]>[0]) => Promise<T>): Promise<T> {
    const run = this.guard(() => inTransaction(this.db.pool, fn));
    this.inFlight.add(run);
    try {
      const value = await run;
      this.feed.pump();
      return value;
    } finally {
      this.inFlight.delete(run);
    }
  }

  /** Baton's own errors as they are; a database or connection failure as one `StoreError` line. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof BatonError) && isPgError(error))
        throw new StoreError(`PostgreSQL store: ${errorMessage(error)}`, { cause: error });
      throw error;
    }
  }
}

/** An error of the database or of the connection to it (it has a SQLSTATE, or a network code, or is pg's). */
function isPgError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const name = error.constructor.name;
  if (name === 'DatabaseError') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
    error.message,
  );
}
