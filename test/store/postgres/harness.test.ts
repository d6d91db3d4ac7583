import pg from 'pg';
import { expect, it } from 'vitest';
import { describePostgres, freshDatabase } from '../../helpers/postgres.js';

describePostgres('the test PostgreSQL', () => {
  const db = freshDatabase();

  it('runs a query in a database of this file, fsync on, as a user other than root', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; fsync: string; sync: string }>(
        "SELECT current_database() AS db, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync",
      );
      expect(rows[0]).toEqual({ db: db.name, fsync: 'on', sync: 'on' });
    } finally {
      await client.end();
    }
  });
});
