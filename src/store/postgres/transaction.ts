/**
 * One PostgreSQL transaction on a pooled connection: `BEGIN ISOLATION LEVEL READ COMMITTED` (the store's
 * queries rely on row locks, not on snapshots: schema.ts), `COMMIT` or `ROLLBACK`, the connection handed back,
 * and a deadlock or serialization failure retried from the start (the store's `transact` promises that `fn` may
 * run more than once). `COMMIT` returns once the change is on disk (`synchronous_commit` on: acknowledged =
 * durable, SPEC §9).
 */
import type pg from 'pg';

/** SQLSTATEs of a transaction PostgreSQL gave up on that may succeed when run again. */
const RETRYABLE = new Set(['40001' /* serialization_failure */, '40P01' /* deadlock_detected */]);

export interface TransactionOptions {
  /** Runs after a deadlock or serialization failure. Default 3. */
  retries?: number;
}

export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      try {
        const value = await fn(client);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        // A connection that cannot even roll back is not handed to the next caller.
        await client.query('ROLLBACK').catch(() => (broken = true));
        if (attempt < retries && RETRYABLE.has(sqlState(error))) continue;
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }
}

/** The SQLSTATE of a PostgreSQL error ('' for anything else). */
export function sqlState(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : '';
}
