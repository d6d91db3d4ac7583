/**
 * The PostgreSQL store: the contract suite (`../contract.ts`, the same cases as the file backend's, a second
 * process included), on a fresh database per test of the run's throwaway cluster.
 */
import pg from 'pg';
import { expect } from 'vitest';
import { PostgresTaskStore } from '../../../src/store/postgres/postgres-task-store.js';
import { createDatabase, describePostgres } from '../../helpers/postgres.js';
import { describeStoreContract } from '../contract.js';

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describePostgres('PostgreSQL store', () => {
  describeStoreContract('postgres', async () => {
    const db = await createDatabase();
    return {
      location: db.url,
      open: (options) => PostgresTaskStore.open({ url: db.url, pollMs: 100, ...options }),
      async damage() {
        // A table gone (a hand-made change): the store must refuse to start and change nothing.
        const snapshot = () =>
          withClient(db.url, async (c) => ({
            tables: (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows,
            tasks: (await c.query('SELECT * FROM tasks_moved ORDER BY id')).rows,
            version: (await c.query('SELECT version FROM schema_version ORDER BY 1')).rows,
          }));
        await withClient(db.url, (c) => c.query('ALTER TABLE tasks RENAME TO tasks_moved'));
        const before = await snapshot();
        return async () => expect(await snapshot()).toEqual(before);
      },
      async setSchemaVersion(version) {
        await withClient(db.url, (c) =>
          c.query("INSERT INTO schema_version (version, name, baton_version) VALUES ($1, 'future', 'later')", [
            version,
          ]),
        );
      },
      cleanup: () => db.drop(),
    };
  });
});
