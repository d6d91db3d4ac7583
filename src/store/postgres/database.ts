/**
 * Opening the PostgreSQL database of a store: connect (one line naming host, port and database when that fails),
 * then migrate it to this Baton's schema (or refuse). What the PostgreSQL task store is built on; loaded only
 * when `--store` is a `postgres://` URL (a dynamic import), so that the file store's start never loads `pg`.
 */
import type pg from 'pg';
import type { ClientConfig } from 'pg';
import { connectPool } from './connection.js';
import type { PostgresConnectionOptions } from './connection.js';
import { migrate } from './migrate.js';
import type { MigrationResult } from './migrate.js';

export interface PostgresDatabase {
  pool: pg.Pool;
  /** `host:port/database`, for messages. */
  where: string;
  /** The configuration of one more connection to the same database (the change listener's own). */
  clientConfig: ClientConfig;
  schema: MigrationResult;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions extends PostgresConnectionOptions {
  /** Check the schema version only: create and change nothing. */
  readOnly?: boolean;
}

/** Connects and migrates; throws `StoreError` (one line) or `ConfigError` (a bad URL). */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<PostgresDatabase> {
  const { pool, where, config } = await connectPool(url, options);
  try {
    const schema = await migrate(pool, { where, readOnly: options.readOnly });
    return { pool, where, clientConfig: config, schema, close: () => pool.end() };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
