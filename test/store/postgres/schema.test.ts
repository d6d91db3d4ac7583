import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/postgres/database.js';
import type { PostgresDatabase } from '../../../src/store/postgres/database.js';
import { INBOX_JSON, SESSION_JSON, TASK_JSON } from '../../../src/store/postgres/schema.js';
import { sqlState } from '../../../src/store/postgres/transaction.js';
import { describePostgres, freshDatabase } from '../../helpers/postgres.js';

/** The columns of a task row, as part B's putTask writes them; `record` holds the rest of the Task. */
const row: Record<string, unknown> & { record: Record<string, unknown> } = {
  id: 't1',
  seq: 7,
  created_seq: 3,
  kind: 'delegation',
  status: 'in_progress',
  delegated_by: 'alice',
  assignee_id: 'bob',
  group: null,
  parent_task_id: null,
  root_task_id: 't1',
  depends_on: [],
  priority_rank: 2,
  created_at: '2026-12-01T10:00:00.000Z',
  deadline: '2026-12-01T10:10:00.000Z',
  finished_at: null,
  claim_runner: 'host:42:abcd1234',
  claim_epoch: 2,
  claim_expires_at: '2026-12-01T10:00:30.123Z',
  lease_epoch: 2,
  affinity: null,
  record: { id: 't1', status: 'in_progress', delegated_by: 'alice', assignee_id: 'bob', attempts: 1 },
};
const columns = Object.keys(row).map((c) => (c === 'group' ? '"group"' : c));

describePostgres('the PostgreSQL schema', () => {
  const dbRef = freshDatabase();
  let db: PostgresDatabase;
  beforeAll(async () => {
    db = await openDatabase(dbRef.url);
  });
  afterAll(async () => {
    await db?.close();
  });

  const insert = (values: typeof row) =>
    db.pool.query(
      `INSERT INTO tasks (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(values),
    );

  it('reads a task row back as the whole record: the columns own seq, created_seq, claim and lease_epoch', async () => {
    await insert(row);
    await insert({
      ...row,
      id: 't2',
      seq: 8,
      created_seq: 8,
      claim_runner: null,
      claim_epoch: null,
      claim_expires_at: null,
    });
    const { rows } = await db.pool.query(`SELECT ${TASK_JSON} AS task FROM tasks ORDER BY seq`);
    expect(rows.map((r) => r.task)).toEqual([
      {
        ...row.record,
        seq: 7,
        created_seq: 3,
        lease_epoch: 2,
        claim: { runner: 'host:42:abcd1234', epoch: 2, expires_at: '2026-12-01T10:00:30.123Z' },
      },
      { ...row.record, seq: 8, created_seq: 8, lease_epoch: 2, claim: null },
    ]);
  });

  it('refuses a half-written claim and a status the model does not have', async () => {
    const half = await insert({ ...row, id: 't3', seq: 9, created_seq: 9, claim_epoch: null }).catch((e: unknown) => e);
    expect(sqlState(half)).toBe('23514');
    const odd = await insert({ ...row, id: 't4', seq: 10, created_seq: 10, status: 'paused' }).catch((e: unknown) => e);
    expect(sqlState(odd)).toBe('23514');
  });

  it('reads inbox items and sessions back with their seq', async () => {
    await db.pool.query(
      `INSERT INTO inbox (seq, recipient, recipient_seq, event, task_id, created_at, item)
       VALUES (11, 'bob', 1, 'message.received', NULL, now(), '{"recipient": "bob", "content": "hi"}')`,
    );
    await db.pool.query(
      `INSERT INTO sessions (id, seq, agent_id, owner, notes_from, updated_at, record)
       VALUES ('s1', 12, 'coder', 'alice', NULL, now(), '{"id": "s1", "notes": {"k": "v"}}')`,
    );
    expect((await db.pool.query(`SELECT ${INBOX_JSON} AS v FROM inbox`)).rows[0].v).toEqual({
      recipient: 'bob',
      content: 'hi',
      seq: 11,
    });
    expect((await db.pool.query(`SELECT ${SESSION_JSON} AS v FROM sessions`)).rows[0].v).toEqual({
      id: 's1',
      notes: { k: 'v' },
      seq: 12,
    });
  });
});
