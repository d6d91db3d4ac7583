/**
 * The queries schema.ts plans for the PostgreSQL store, on 100,000 tasks: each is served by an index, reading a
 * small part of the table. Part B replaces these texts with the store's own queries.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/postgres/database.js';
import type { PostgresDatabase } from '../../../src/store/postgres/database.js';
import { describePostgres, freshDatabase } from '../../helpers/postgres.js';

const TASKS = 100_000;

/** Filters and orders of findTasks, countTasks, the sweeps and pruning, as schema.ts writes them. */
const QUERIES: Array<[string, string, unknown[]]> = [
  ['party, newest', 'WHERE (delegated_by = $1 OR assignee_id = $1) ORDER BY created_seq DESC LIMIT 51', ['agent3']],
  [
    'a rare party, newest',
    'WHERE (delegated_by = $1 OR assignee_id = $1) ORDER BY created_seq DESC LIMIT 51',
    ['rare'],
  ],
  [
    'party after a cursor',
    'WHERE (delegated_by = $1 OR assignee_id = $1) AND created_seq < $2 ORDER BY created_seq DESC LIMIT 51',
    ['agent3', 50_000],
  ],
  [
    'role and status',
    'WHERE assignee_id = $1 AND status = ANY($2) ORDER BY created_seq DESC LIMIT 51',
    ['agent3', ['in_progress', 'pending']],
  ],
  [
    'group of a party',
    'WHERE "group" = $1 AND delegated_by = $2 ORDER BY created_seq DESC LIMIT 51',
    ['g10', 'agent10'],
  ],
  ['status alone', 'WHERE status = ANY($1) ORDER BY created_seq DESC LIMIT 51', [['failed']]],
  ['live, oldest', "WHERE status IN ('pending', 'in_progress') ORDER BY created_seq LIMIT 51", []],
  ['children', 'WHERE parent_task_id = $1', ['p99']],
  ['live under a root (quota)', "WHERE root_task_id = $1 AND status IN ('pending', 'in_progress')", ['r99']],
  ['dependants', 'WHERE depends_on @> ARRAY[$1]::text[]', ['t99']],
  [
    'claimable, runnable order',
    "WHERE status = 'in_progress' AND assignee_id = ANY($1) AND (claim_runner IS NULL OR claim_expires_at <= statement_timestamp()) ORDER BY priority_rank, created_seq LIMIT 10",
    [['agent1', 'agent2']],
  ],
  [
    'claimable after a cursor',
    "WHERE status = 'in_progress' AND assignee_id = ANY($1) AND (claim_runner IS NULL OR claim_expires_at <= statement_timestamp()) AND (priority_rank, created_seq) > ($2, $3) ORDER BY priority_rank, created_seq LIMIT 10",
    [['agent1', 'agent2'], 1, 50_000],
  ],
  ['id prefix', 'WHERE id >= $1 AND id < $2 ORDER BY created_seq DESC LIMIT 51', ['t1234', 't1235']],
  [
    'overdue (deadline sweep)',
    "WHERE status IN ('pending', 'in_progress') AND deadline <= statement_timestamp() ORDER BY deadline LIMIT 100",
    [],
  ],
  ['expired leases', 'WHERE claim_runner IS NOT NULL AND claim_expires_at <= statement_timestamp() LIMIT 100', []],
  ['the change feed', 'WHERE seq > $1 ORDER BY seq LIMIT 1000', [TASKS - 500]],
  [
    'retention',
    "WHERE finished_at < statement_timestamp() - interval '30 days' AND status IN ('completed', 'failed', 'timed_out', 'cancelled') LIMIT 1000",
    [],
  ],
];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Rows Removed by Filter'?: number;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

function* nodes(plan: PlanNode): Generator<PlanNode> {
  yield plan;
  for (const child of plan.Plans ?? []) yield* nodes(child);
}

describePostgres('the PostgreSQL query plan', () => {
  const dbRef = freshDatabase();
  let db: PostgresDatabase;
  beforeAll(async () => {
    db = await openDatabase(dbRef.url);
    // One task in 50 in progress, one in 97 pending, the rest ended over the last 60 days; 40 agents, one rare.
    await db.pool.query(
      `INSERT INTO tasks (id, seq, created_seq, kind, status, delegated_by, assignee_id, "group", parent_task_id,
         root_task_id, depends_on, priority_rank, created_at, deadline, finished_at, claim_runner, claim_epoch,
         claim_expires_at, lease_epoch, record)
       SELECT 't' || i, i, i, 'delegation',
         CASE WHEN i % 50 = 0 THEN 'in_progress' WHEN i % 97 = 0 THEN 'pending' ELSE 'completed' END,
         CASE WHEN i = 777 THEN 'rare' ELSE 'agent' || (i % 40) END, 'agent' || ((i * 7) % 40),
         CASE WHEN i % 10 = 0 THEN 'g' || (i % 300) END, CASE WHEN i % 3 <> 0 THEN 'p' || (i / 3) END,
         'r' || (i / 30), CASE WHEN i % 13 = 0 THEN ARRAY['t' || (i - 1)] ELSE '{}' END, i % 4,
         now() - ($1 - i) * interval '1 minute', CASE WHEN i % 50 = 0 THEN now() + interval '10 minutes' END,
         CASE WHEN i % 50 <> 0 AND i % 97 <> 0 THEN now() - ($1 - i) * interval '1 minute' END,
         CASE WHEN i % 100 = 0 THEN 'runner' END, CASE WHEN i % 100 = 0 THEN 1 END,
         CASE WHEN i % 100 = 0 THEN now() + interval '30 seconds' END, 1, '{}'
       FROM generate_series(1, $1) i`,
      [TASKS],
    );
    await db.pool.query('ANALYZE tasks');
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  const cases = QUERIES.map(([name, where, params]) => ({ name, where, params }));
  it.each(cases)('$name: an index, and at most 2% of the tasks read', async ({ where, params }) => {
    const { rows } = await db.pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM tasks ${where}`, params);
    const plan = (rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
    const onTasks = [...nodes(plan)].filter((n) => n['Relation Name'] === 'tasks');
    expect(onTasks.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    const read = onTasks.reduce((sum, n) => sum + (n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0), 0);
    expect(read).toBeLessThanOrEqual(TASKS * 0.02);
  });
});
