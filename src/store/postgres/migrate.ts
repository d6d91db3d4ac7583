/**
 * Applies the schema's migrations at start (SPEC §9): every pending one in one transaction, under a
 * transaction-level advisory lock, so that Baton processes starting together migrate once and a failed step
 * leaves the database exactly as it was (PostgreSQL's DDL is transactional). Each applied step is a row of
 * `schema_version`. A database at a newer version than this Baton knows is refused, untouched.
 */
import type pg from 'pg';
import { StoreError, errorMessage } from '../../errors.js';
import { VERSION } from '../../version.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/index.js';

/** The advisory lock key every Baton holds while it migrates ("batonmig" in ASCII). */
export const MIGRATION_LOCK_KEY = '7089061590706826599';

export interface MigrateOptions {
  /** `host:port/database`, for messages. */
  where: string;
  /** Default: this Baton's. Tests pass their own. */
  migrations?: readonly Migration[];
  /** Only check the version: never create or change anything (`baton tasks`). */
  readOnly?: boolean;
}

export interface MigrationResult {
  /** The version found. */
  from: number;
  /** The version now: the latest this Baton knows. */
  to: number;
}

const SCHEMA_VERSION_TABLE = `
CREATE TABLE IF NOT EXISTS schema_version (
  version       integer PRIMARY KEY,
  name          text NOT NULL,
  applied_at    timestamptz NOT NULL DEFAULT now(),
  baton_version text NOT NULL
)`;

/** Brings the database to the latest schema version, or refuses with one line (`StoreError`). */
export async function migrate(pool: pg.Pool, options: MigrateOptions): Promise<MigrationResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  checkOrder(migrations);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const client = await pool.connect();
  let broken = false;
  try {
    if (options.readOnly) return await check(client, latest, options.where);
    // READ COMMITTED whatever the database's default: after waiting for the lock, each statement must see what
    // the process that held it committed.
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    try {
      // Waiting for another process's migration, or a long step, is not a stalled statement.
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(SCHEMA_VERSION_TABLE);
      const from = await currentVersion(client);
      if (from > latest) throw newerThanThis(options.where, from, latest);
      for (const step of migrations) {
        if (step.version <= from) continue;
        try {
          await client.query(step.sql);
        } catch (error) {
          throw new StoreError(
            `cannot migrate the PostgreSQL store at ${options.where} to schema version ${step.version} ` +
              `(${step.name}): ${errorMessage(error)}; nothing was changed (it stays at version ${from})`,
            { cause: error },
          );
        }
        await client.query('INSERT INTO schema_version (version, name, baton_version) VALUES ($1, $2, $3)', [
          step.version,
          step.name,
          VERSION,
        ]);
      }
      await client.query('COMMIT');
      return { from, to: Math.max(from, latest) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error instanceof StoreError
        ? error
        : new StoreError(`cannot migrate the PostgreSQL store at ${options.where}: ${errorMessage(error)}`, {
            cause: error,
          });
    }
  } finally {
    client.release(broken);
  }
}

async function check(client: pg.PoolClient, latest: number, where: string): Promise<MigrationResult> {
  const exists = await client.query<{ found: boolean }>("SELECT to_regclass('schema_version') IS NOT NULL AS found");
  const from = exists.rows[0]?.found ? await currentVersion(client) : 0;
  if (from > latest) throw newerThanThis(where, from, latest);
  if (from < latest) {
    throw new StoreError(
      `the PostgreSQL store at ${where} is at schema version ${from}, this Baton needs ${latest}: ` +
        'start `baton serve` on it once to migrate it',
    );
  }
  return { from, to: from };
}

async function currentVersion(client: pg.PoolClient): Promise<number> {
  const result = await client.query<{ version: number }>(
    'SELECT coalesce(max(version), 0) AS version FROM schema_version',
  );
  return result.rows[0]?.version ?? 0;
}

function newerThanThis(where: string, found: number, latest: number): StoreError {
  return new StoreError(
    `the PostgreSQL store at ${where} is at schema version ${found}, newer than this Baton (${VERSION}) knows ` +
      `(${latest}): upgrade Baton to use it`,
  );
}

/** Versions 1, 2, 3… in order: a gap or a repeat is a mistake in this code, not in the database. */
function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((step, i) => {
    if (step.version !== i + 1)
      throw new Error(`migration ${step.name} has version ${step.version}, expected ${i + 1}`);
  });
}
