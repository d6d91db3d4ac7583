import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectPool } from '../../../src/store/postgres/connection.js';
import type { PostgresPool } from '../../../src/store/postgres/connection.js';
import { inTransaction, sqlState } from '../../../src/store/postgres/transaction.js';
import { describePostgres, freshDatabase } from '../../helpers/postgres.js';

describePostgres('inTransaction', () => {
  const dbRef = freshDatabase();
  let db: PostgresPool;
  beforeAll(async () => {
    db = await connectPool(dbRef.url);
    // Deadlocks are found after deadlock_timeout (1 s by default).
    await db.pool.query(`ALTER DATABASE ${dbRef.name} SET deadlock_timeout = '100ms'`);
    await db.pool.end();
    db = await connectPool(dbRef.url);
    await db.pool.query('CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)');
  });
  afterAll(async () => {
    await db?.pool.end();
  });

  it('commits what fn did, and rolls all of it back when fn throws', async () => {
    await inTransaction(db.pool, (c) => c.query('INSERT INTO t VALUES (1, 1)'));
    const error = await inTransaction(db.pool, async (c) => {
      await c.query('INSERT INTO t VALUES (2, 2)');
      await c.query('INSERT INTO t VALUES (1, 9)');
    }).catch((e: unknown) => e);
    expect(sqlState(error)).toBe('23505');
    expect((await db.pool.query('SELECT id, v FROM t ORDER BY id')).rows).toEqual([{ id: 1, v: 1 }]);
    await db.pool.query('DELETE FROM t');
  });

  it('runs fn again after a deadlock, so both transactions complete', async () => {
    await db.pool.query('INSERT INTO t VALUES (1, 0), (2, 0)');
    let attempts = 0;
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothHoldOneRow = new Promise<void>((resolve) => (release = resolve));
    const crosswise = (first: number, second: number) =>
      inTransaction(db.pool, async (c) => {
        attempts++;
        await c.query('UPDATE t SET v = v + 1 WHERE id = $1', [first]);
        if (++arrived === 2) release();
        await bothHoldOneRow;
        await c.query('UPDATE t SET v = v + 1 WHERE id = $1', [second]);
      });
    await Promise.all([crosswise(1, 2), crosswise(2, 1)]);
    // PostgreSQL chose a victim and its transaction ran again. Under load both backends can find the cycle before
    // the first victim's locks are gone, so both are victims once: three attempts or four, never fewer.
    expect([3, 4]).toContain(attempts);
    expect((await db.pool.query('SELECT id, v FROM t ORDER BY id')).rows).toEqual([
      { id: 1, v: 2 },
      { id: 2, v: 2 },
    ]);
  });
});
