/**
 * Retention pruning (schema.ts, "Retention"): ended tasks, inbox items and sessions older than the retention
 * period are deleted, by one process at a time (a transaction-level advisory lock that others skip), in batches
 * of 1000 in short transactions of their own. Pruning is not a change: no seq, nothing on the feed.
 */
import type pg from 'pg';
import { inTransaction } from './transaction.js';

/** The advisory lock key of pruning ("batonprn" in ASCII). */
export const RETENTION_LOCK_KEY = '7089075310400926318';
const BATCH = 1000;

const DELETES = [
  `DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE finished_at < statement_timestamp() - $1 * interval '1 ms'
     AND status IN ('completed', 'failed', 'timed_out', 'cancelled') LIMIT ${BATCH})`,
  `DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox WHERE created_at < statement_timestamp() - $1 * interval '1 ms'
     LIMIT ${BATCH})`,
  `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions
     WHERE updated_at < statement_timestamp() - $1 * interval '1 ms' LIMIT ${BATCH})`,
];

/** Prunes what is past `retentionMs`; returns how many rows went (0 when another process is pruning). */
export async function prune(pool: pg.Pool, retentionMs: number): Promise<number> {
  let total = 0;
  for (const sql of DELETES) {
    for (;;) {
      const deleted = await inTransaction(pool, async (client) => {
        const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
          RETENTION_LOCK_KEY,
        ]);
        if (!lock.rows[0]?.ok) return -1;
        return (await client.query(sql, [retentionMs])).rowCount ?? 0;
      });
      if (deleted < 0) return total;
      total += deleted;
      if (deleted < BATCH) break;
    }
  }
  return total;
}
