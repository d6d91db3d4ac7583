/**
 * The PostgreSQL store's schema (migrations/001-initial.ts) and how each `TaskStore` operation maps onto it.
 *
 * Rows. `tasks.record` is the Task as JSON minus the fields its columns own: `seq`, `created_seq`, `claim`
 * (`claim_runner`, `claim_epoch`, `claim_expires_at`) and `lease_epoch`; a read is `TASK_JSON` below. The other
 * columns (status, parties, group, parent, root, depends_on, priority_rank, times, affinity) are copies of record
 * fields, written from the record in the same statement, for the indexes. `inbox.item` and `sessions.record` are
 * the record minus `seq`. Ids compare as bytes (COLLATE "C").
 *
 * Sequences (sequences.ts). Every write takes the next store-wide `seq` from the `counters` row 'change', whose
 * row lock is held to COMMIT, so seqs become visible in order and without gaps: a reader of `seq > cursor` never
 * misses a commit. Inbox items also take their recipient's 1, 2, 3… from `inbox_counters`. Lock order, always:
 * the change counter first (the store takes it at BEGIN: see `transact`), then recipients' counters (sorted);
 * a renewal, which takes no seq, locks only the claimed rows, and never waits for the counter.
 *
 * Transactions are READ COMMITTED (transaction.ts) and rely on row locks, not snapshots. The operations:
 * - `getTask(id)`: `SELECT TASK_JSON FROM tasks WHERE id = $1` (primary key). `getTasks(ids)`: `id = ANY($1)`.
 * - `findTasks(q)` / `countTasks(q)`: `SELECT TASK_JSON … WHERE` one clause per filter, `LIMIT limit + 1` (the
 *   extra row says whether there is a next page):
 *   party `(delegated_by = $p OR assignee_id = $p)` (BitmapOr of tasks_delegated_by, tasks_assignee), with role
 *   just one side; status `status = ANY($s)` (tasks_status); live `status IN ('pending','in_progress')`; group
 *   `"group" = $g` (tasks_group); parent `parent_task_id = $id` (tasks_parent); root `root_task_id = $id`
 *   (tasks_root); dependsOn `depends_on @> ARRAY[$id]` (GIN tasks_depends_on); assignees `assignee_id = ANY($a)`;
 *   claimable `status = 'in_progress' AND (claim_runner IS NULL OR claim_expires_at <= statement_timestamp())`,
 *   written with the literal 'in_progress' so the partial index tasks_runnable applies; idPrefix as a range of the
 *   primary key, `id >= $p AND id < $p_next` ($p with its last character raised by one).
 *   Orders and cursors (cursor.ts keys): newest `ORDER BY created_seq DESC`, after a cursor `created_seq < $k`;
 *   oldest `ASC` and `>`; runnable `ORDER BY priority_rank, created_seq`, after `(priority_rank, created_seq) >
 *   ($r, $k)` (a row comparison the indexes take). Checked with EXPLAIN on 100k tasks: every filter uses its index.
 * - `inbox(r, after, limit)`: `SELECT INBOX_JSON FROM inbox WHERE recipient = $1 AND seq > $2 ORDER BY seq LIMIT
 *   $3` (inbox_recipient). `lastInbox(r, {event, task_id})`: `… AND task_id = $2 AND event = $3 ORDER BY seq DESC
 *   LIMIT 1` (inbox_task). `getSession(id)`: `SELECT SESSION_JSON FROM sessions WHERE id = $1`.
 * - `transact(fn, {fence})` (as built: postgres-transaction.ts): the calls in flight in a process share one
 *   transaction. BEGIN; `SELECT value, statement_timestamp() FROM counters WHERE name = 'change' FOR UPDATE` —
 *   the counter first, not last, because `addInbox` must return its seq at once; so writers take turns, every
 *   read sees the latest commit without row locks, and no deadlock is possible. Then each call in turn: with a
 *   fence, the claim as the batch sees it (else `LeaseLostError` for that call only); `fn`, whose reads are plain
 *   SELECTs by primary key (`children`: `parent_task_id = $1`, `dependants`: `depends_on @> ARRAY[$1]`) and
 *   whose writes are buffered over them; a call that throws takes back its own writes and seqs. After the last:
 *   the recipients' numbers (one `INSERT … ON CONFLICT … RETURNING` for all), then one statement of
 *   data-modifying CTEs: the task upserts (created_seq kept on update; claim_expires_at kept when a renewal of
 *   the same runner and epoch is later; lease_epoch never lowered), the inbox INSERTs, the session upserts, the
 *   counter, `pg_notify`; COMMIT (one fsync for the batch). A deadlock or a failed statement fails (or retries)
 *   the whole batch.
 * - `claim(id, runner, ms)` (and `tx.claim`): `SELECT … FROM tasks WHERE id = $1 AND status = 'in_progress' AND
 *   (claim_runner IS NULL OR claim_runner = $2 OR claim_expires_at <= statement_timestamp()) FOR UPDATE SKIP
 *   LOCKED`; no row → null (someone holds it, or is changing it right now); else allocate a seq and `UPDATE tasks
 *   SET claim_runner = $2, lease_epoch = lease_epoch + 1, claim_epoch = lease_epoch + 1, claim_expires_at =
 *   statement_timestamp() + $3 * interval '1 ms', seq = $s RETURNING …`, notify, COMMIT. Exactly one of two
 *   claimers wins: the loser's locking read skips the row or, after the winner's commit, no longer matches.
 *   Queued work by priority then age: `findTasks({claimable, assignees, order: 'runnable'})`, then `claim` each.
 * - `renew(claims, ms)`: one statement, no seq (a renewal is not a change): `UPDATE tasks t SET claim_expires_at
 *   = statement_timestamp() + $1 * interval '1 ms' FROM unnest($2::text[], $3::text[], $4::bigint[]) AS c(id,
 *   runner, epoch) WHERE t.id = c.id AND t.claim_runner = c.runner AND t.claim_epoch = c.epoch RETURNING t.id`;
 *   the claims not returned are lost.
 * - `release(claim, {refundAttempt})`: the fence's locking read, then a seq, `claim_* = NULL` (and with the refund
 *   `record = record || jsonb_build_object('attempts', greatest(0, (record->>'attempts')::int - 1),
 *   'status_message', null)`), notify, COMMIT.
 * - `subscribe(since, listener)` / `headSeq()`: one `PostgresChangeListener` per store (change-listener.ts: LISTEN
 *   on `baton_change`, heartbeat, reconnect, fallback poll of `headSeq()`, which reads the counter row's committed
 *   value and never waits). On "changed up to N", and for a new subscriber's replay: `SELECT seq, 'task', TASK_JSON
 *   FROM tasks WHERE seq > $1 UNION ALL SELECT seq, 'inbox', INBOX_JSON FROM inbox WHERE seq > $1 UNION ALL SELECT
 *   seq, 'session', SESSION_JSON FROM sessions WHERE seq > $1 ORDER BY seq LIMIT 1000` (the seq indexes), in
 *   batches until fewer come back, each change given once to each subscriber whose cursor is below it.
 * - Deadlines, exactly once: the sweep `SELECT id FROM tasks WHERE status IN ('pending','in_progress') AND
 *   deadline <= statement_timestamp() ORDER BY deadline LIMIT 100` (tasks_live_deadline) finds overdue tasks by
 *   database time; each is ended through `transact`, whose `tx.getTask` locks the row (`FOR UPDATE`): a second
 *   process trying at the same time waits (the counter), then reads a terminal task and changes nothing, so each
 *   party gets one `timeout` notification. Database time decides inside that transaction too: `tx.storeTime()`
 *   is the `statement_timestamp()` read with the counter, and `TaskService.expire` compares the deadline with it.
 *   Leases of dead processes: the claimable sweep above (tasks_claim_expiry finds `claim_runner IS NOT NULL AND
 *   claim_expires_at <= statement_timestamp()`).
 * - Retention: one process at a time (`pg_try_advisory_xact_lock`), in batches of 1000 in short transactions of
 *   their own, no seq (as in the file store, pruning is not a change): `DELETE FROM tasks WHERE id IN (SELECT id
 *   FROM tasks WHERE finished_at < statement_timestamp() - $1 * interval '1 ms' AND status IN ('completed',
 *   'failed','timed_out','cancelled') LIMIT 1000)` (tasks_finished); inbox by `created_at` (inbox_created),
 *   sessions by `updated_at` (sessions_updated).
 * - Notes are part of the session record (`notes`, `notes_from` → the parent's session, read by primary key).
 */

/** A timestamptz as JavaScript's `toISOString()` writes it: UTC, milliseconds, `Z`. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A `tasks` row as the Task record: the record plus the fields the columns own. */
export const TASK_JSON = `(record || jsonb_build_object(
  'seq', seq,
  'created_seq', created_seq,
  'lease_epoch', lease_epoch,
  'claim', CASE WHEN claim_runner IS NULL THEN 'null'::jsonb
    ELSE jsonb_build_object('runner', claim_runner, 'epoch', claim_epoch, 'expires_at', ${iso('claim_expires_at')}) END
))`;

/** An `inbox` row as the InboxItem record. */
export const INBOX_JSON = `(item || jsonb_build_object('seq', seq))`;

/** A `sessions` row as the Session record. */
export const SESSION_JSON = `(record || jsonb_build_object('seq', seq))`;
