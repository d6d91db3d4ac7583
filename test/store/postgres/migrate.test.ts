import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { connectPool } from '../../../src/store/postgres/connection.js';
import { openDatabase } from '../../../src/store/postgres/database.js';
import { MIGRATION_LOCK_KEY, migrate } from '../../../src/store/postgres/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/store/postgres/migrations/index.js';
import type { Migration } from '../../../src/store/postgres/migrations/index.js';
import { VERSION } from '../../../src/version.js';
import { eventually } from '../../helpers/core.js';
import { createDatabase, describePostgres } from '../../helpers/postgres.js';
import type { TestDatabase } from '../../helpers/postgres.js';

const PEER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrate-peer.mjs');
const broken: Migration = {
  version: SCHEMA_VERSION + 1,
  name: 'broken',
  sql: 'CREATE TABLE half_done (x int); SELECT 1/0',
};

describePostgres('migrate', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let where: string;

  beforeEach(async () => {
    db = await createDatabase();
    ({ pool, where } = await connectPool(db.url));
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  const tables = async () =>
    (
      await pool.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    ).rows.map((r) => r.t);
  const versions = async () =>
    (await pool.query<{ version: number }>('SELECT version FROM schema_version ORDER BY 1')).rows.map((r) => r.version);

  it('creates the schema once, records it in schema_version, and does nothing the second time', async () => {
    expect(await migrate(pool, { where })).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(await tables()).toEqual(['counters', 'inbox', 'inbox_counters', 'schema_version', 'sessions', 'tasks']);
    const { rows } = await pool.query('SELECT version, name, baton_version FROM schema_version');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, baton_version: VERSION })));
    expect(await migrate(pool, { where })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('three processes starting at once migrate exactly once', async () => {
    // Hold the migration lock so that all three are waiting on it, then let go: they race for real.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const run = promisify(execFile);
    const peers = [1, 2, 3].map(() => run(process.execPath, [PEER, db.url]));
    try {
      await eventually(
        async () => {
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
           WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = $1`,
            [db.name],
          );
          return rows[0]?.n === 3;
        },
        20_000,
        'three processes waiting for the migration lock',
      );
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    const results = (await Promise.all(peers)).map((r) => JSON.parse(r.stdout) as { from: number; to: number });
    expect(results.map((r) => r.from).sort()).toEqual([0, SCHEMA_VERSION, SCHEMA_VERSION]);
    expect(results.every((r) => r.to === SCHEMA_VERSION)).toBe(true);
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
    expect((await pool.query("SELECT value FROM counters WHERE name = 'change'")).rows).toEqual([{ value: '0' }]);
  });

  it('refuses, in one line and changing nothing, a database at a newer schema version', async () => {
    await migrate(pool, { where });
    await pool.query(
      "INSERT INTO schema_version (version, name, baton_version) VALUES (99, 'from the future', '9.0.0')",
    );
    const error = await migrate(pool, { where }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      `the PostgreSQL store at ${where} is at schema version 99, newer than this Baton (${VERSION}) knows ` +
        `(${SCHEMA_VERSION}): upgrade Baton to use it`,
    );
    expect(await versions()).toEqual([...MIGRATIONS.map((m) => m.version), 99]);
    await expect(migrate(pool, { where, readOnly: true })).rejects.toThrow(/is at schema version 99, newer/);
  });

  it('a failing migration leaves no trace: an empty database stays empty', async () => {
    const error = await migrate(pool, { where, migrations: [...MIGRATIONS, broken] }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      `cannot migrate the PostgreSQL store at ${where} to schema version ${broken.version} (broken): ` +
        'division by zero; nothing was changed (it stays at version 0)',
    );
    expect(await tables()).toEqual([]);
  });

  it('a failing migration leaves a migrated database at its version, without the half-done step', async () => {
    await migrate(pool, { where });
    await expect(migrate(pool, { where, migrations: [...MIGRATIONS, broken] })).rejects.toThrow(
      `it stays at version ${SCHEMA_VERSION}`,
    );
    expect(await tables()).not.toContain('half_done');
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
    // The connection it used went back to the pool in a clean state.
    expect(await migrate(pool, { where })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
  });

  it('read-only: checks the version and creates nothing', async () => {
    await expect(migrate(pool, { where, readOnly: true })).rejects.toThrow(
      `the PostgreSQL store at ${where} is at schema version 0, this Baton needs ${SCHEMA_VERSION}: ` +
        'start `baton serve` on it once to migrate it',
    );
    expect(await tables()).toEqual([]);
    await migrate(pool, { where });
    expect(await migrate(pool, { where, readOnly: true })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
  });

  it('openDatabase connects and migrates; its errors are the same one-liners', async () => {
    const opened = await openDatabase(db.url);
    try {
      expect(opened.schema).toEqual({ from: 0, to: SCHEMA_VERSION });
      expect(opened.where).toBe(where);
    } finally {
      await opened.close();
    }
    await pool.query("INSERT INTO schema_version (version, name, baton_version) VALUES (99, 'future', '9.0.0')");
    await expect(openDatabase(db.url)).rejects.toThrow(/^the PostgreSQL store at .* is at schema version 99, newer/);
  });
});
