/**
 * The store's sequence numbers, allocated so that they commit in order (schema.ts, "Sequences"). A PostgreSQL
 * SEQUENCE hands out numbers at once and its transactions may commit in any order, so a reader that has seen
 * seq 8 could later find a 7 it will never read. Here a number is a counter row updated inside the writing
 * transaction: the row stays locked until that transaction commits or rolls back, so the next writer waits and
 * numbers become visible in order, without gaps (a rollback takes its numbers back).
 */
import type pg from 'pg';

/** The channel the change feed's notifications go on; the payload is the highest seq of the transaction. */
export const CHANGE_CHANNEL = 'baton_change';

/** A connection inside a transaction (`BEGIN` sent). */
export type TransactionClient = Pick<pg.PoolClient, 'query'>;

/**
 * Takes the next `count` store-wide change sequence numbers; returns the first. Locks the counter row until the
 * transaction ends, so every other writer waits from here to the commit: call it as late as possible, after the
 * transaction's reads and checks, just before its writes and `COMMIT`.
 */
export async function allocateSeqs(client: TransactionClient, count: number): Promise<number> {
  const result = await client.query<{ last: string }>(
    "UPDATE counters SET value = value + $1 WHERE name = 'change' RETURNING value AS last",
    [count],
  );
  const row = result.rows[0];
  if (!row) throw new Error("the counters table has no 'change' row: the schema was changed by hand");
  return Number(row.last) - count + 1;
}

/**
 * Takes the next number of `recipient`'s inbox (1, 2, 3… per recipient, in commit order); its counter row stays
 * locked to the commit too. Take these before `allocateSeqs`, recipients in sorted order, so that no two writers
 * can wait for each other.
 */
export async function allocateRecipientSeq(client: TransactionClient, recipient: string): Promise<number> {
  const result = await client.query<{ value: string }>(
    `INSERT INTO inbox_counters (recipient, value) VALUES ($1, 1)
     ON CONFLICT (recipient) DO UPDATE SET value = inbox_counters.value + 1
     RETURNING value`,
    [recipient],
  );
  return Number(result.rows[0]?.value);
}

/** Tells every listener, when this transaction commits, that changes up to `seq` exist. */
export async function notifyChange(client: TransactionClient, seq: number): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, String(seq)]);
}

/** The highest committed change sequence number (a plain read: it never waits for a writer). */
export async function headSeq(client: Pick<pg.Pool, 'query'>): Promise<number> {
  const result = await client.query<{ value: string }>("SELECT value FROM counters WHERE name = 'change'");
  return Number(result.rows[0]?.value ?? 0);
}

/**
 * Locks the change counter for the rest of the transaction and returns its value: the seqs this transaction will
 * give are the ones after it (`setChangeCounter` at the end). The PostgreSQL store takes it first, before any
 * read (postgres-transaction.ts says why), with the database's time, which makes it the one lock every writer takes first: no deadlock can
 * involve it.
 */
export async function lockChangeCounter(client: TransactionClient): Promise<{ seq: number; now: Date }> {
  const result = await client.query<{ value: string; now: Date }>(
    "SELECT value, statement_timestamp() AS now FROM counters WHERE name = 'change' FOR UPDATE",
  );
  const row = result.rows[0];
  if (!row) throw new Error("the counters table has no 'change' row: the schema was changed by hand");
  return { seq: Number(row.value), now: row.now };
}

/** Records the last seq given by a transaction that holds the counter (`lockChangeCounter`). */
export async function setChangeCounter(client: TransactionClient, seq: number): Promise<void> {
  await client.query("UPDATE counters SET value = $1 WHERE name = 'change'", [seq]);
}

/**
 * `allocateRecipientSeq` for several recipients in one statement: `counts` items each; returns the first number
 * of each. Rows are locked in sorted order.
 */
export async function allocateRecipientSeqs(
  client: TransactionClient,
  counts: ReadonlyMap<string, number>,
): Promise<Map<string, number>> {
  const recipients = [...counts.keys()].sort();
  const result = await client.query<{ recipient: string; value: string }>(
    `INSERT INTO inbox_counters (recipient, value)
     SELECT r, n FROM unnest($1::text[], $2::bigint[]) AS u(r, n) ORDER BY r COLLATE "C"
     ON CONFLICT (recipient) DO UPDATE SET value = inbox_counters.value + EXCLUDED.value
     RETURNING recipient, value`,
    [recipients, recipients.map((r) => counts.get(r))],
  );
  return new Map(result.rows.map((row) => [row.recipient, Number(row.value) - (counts.get(row.recipient) ?? 0) + 1]));
}
