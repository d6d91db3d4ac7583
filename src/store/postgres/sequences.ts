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
