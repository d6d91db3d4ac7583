/**
 * Writing the store's rows (schema.ts): each kind of record in one statement for a whole transaction, from a JSON
 * array of the records with their seqs assigned. The columns the indexes need are copied from the record in the
 * same statement, so that they can never disagree with it.
 */
import type { InboxItem } from '../../model/inbox.js';
import type { Session } from '../../model/session.js';
import type { Task } from '../../model/task.js';
import { PRIORITY_RANK } from '../../model/task.js';
import { CHANGE_CHANNEL } from './sequences.js';
import type { TransactionClient } from './sequences.js';

/** Upserts tasks (created_seq kept on update; a later expiry of the same claim, written by a renewal, kept). */
const UPSERT_TASKS = `
INSERT INTO tasks (id, seq, created_seq, kind, status, delegated_by, assignee_id, "group", parent_task_id,
  root_task_id, depends_on, priority_rank, created_at, deadline, finished_at, claim_runner, claim_epoch,
  claim_expires_at, lease_epoch, affinity, record)
SELECT r->>'id', (r->>'seq')::bigint, (r->>'seq')::bigint, r->>'kind', r->>'status', r->>'delegated_by',
  r->>'assignee_id', r->>'group', r->>'parent_task_id', r->>'root_task_id',
  ARRAY(SELECT jsonb_array_elements_text(r->'depends_on')), (r->>'priority_rank')::smallint,
  (r->>'created_at')::timestamptz, (r->>'deadline')::timestamptz, (r->>'finished_at')::timestamptz,
  r->'claim'->>'runner', (r->'claim'->>'epoch')::bigint, (r->'claim'->>'expires_at')::timestamptz,
  (r->>'lease_epoch')::bigint, r->>'affinity',
  r - 'seq' - 'created_seq' - 'claim' - 'lease_epoch' - 'priority_rank'
FROM jsonb_array_elements($1::jsonb) AS r
ON CONFLICT (id) DO UPDATE SET
  seq = EXCLUDED.seq, kind = EXCLUDED.kind, status = EXCLUDED.status, delegated_by = EXCLUDED.delegated_by,
  assignee_id = EXCLUDED.assignee_id, "group" = EXCLUDED."group", parent_task_id = EXCLUDED.parent_task_id,
  root_task_id = EXCLUDED.root_task_id, depends_on = EXCLUDED.depends_on, priority_rank = EXCLUDED.priority_rank,
  created_at = EXCLUDED.created_at, deadline = EXCLUDED.deadline, finished_at = EXCLUDED.finished_at,
  claim_runner = EXCLUDED.claim_runner, claim_epoch = EXCLUDED.claim_epoch,
  claim_expires_at = CASE
    WHEN tasks.claim_runner = EXCLUDED.claim_runner AND tasks.claim_epoch = EXCLUDED.claim_epoch
      AND tasks.claim_expires_at > EXCLUDED.claim_expires_at THEN tasks.claim_expires_at
    ELSE EXCLUDED.claim_expires_at END,
  lease_epoch = greatest(tasks.lease_epoch, EXCLUDED.lease_epoch),
  affinity = EXCLUDED.affinity, record = EXCLUDED.record`;

const INSERT_INBOX = `
INSERT INTO inbox (seq, recipient, recipient_seq, event, task_id, created_at, item)
SELECT (r->>'seq')::bigint, r->>'recipient', (r->>'recipient_seq')::bigint, r->>'event', r->>'task_id',
  (r->>'created_at')::timestamptz, r - 'seq' - 'recipient_seq'
FROM jsonb_array_elements($1::jsonb) AS r`;

const UPSERT_SESSIONS = `
INSERT INTO sessions (id, seq, agent_id, owner, notes_from, updated_at, record)
SELECT r->>'id', (r->>'seq')::bigint, r->>'agent_id', r->>'owner', r->>'notes_from',
  (r->>'updated_at')::timestamptz, r - 'seq'
FROM jsonb_array_elements($1::jsonb) AS r
ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, agent_id = EXCLUDED.agent_id, owner = EXCLUDED.owner,
  notes_from = EXCLUDED.notes_from, updated_at = EXCLUDED.updated_at, record = EXCLUDED.record`;

/**
 * Everything a transaction wrote, in one statement (one round trip): tasks, inbox items and sessions, the change
 * counter set to `seq`, and the notification that changes up to `seq` exist (sent by PostgreSQL at COMMIT).
 */
export async function writeAll(
  client: TransactionClient,
  records: {
    tasks: readonly Task[];
    items: ReadonlyArray<InboxItem & { recipient_seq: number }>;
    sessions: readonly Session[];
    seq: number;
  },
): Promise<void> {
  const from = (n: number) => `jsonb_array_elements($${n}::jsonb)`;
  const text = `WITH
    written_tasks AS (${UPSERT_TASKS.replace('jsonb_array_elements($1::jsonb)', from(1))}),
    written_inbox AS (${INSERT_INBOX.replace('jsonb_array_elements($1::jsonb)', from(2))}),
    written_sessions AS (${UPSERT_SESSIONS.replace('jsonb_array_elements($1::jsonb)', from(3))}),
    counter AS (UPDATE counters SET value = $4 WHERE name = 'change')
  SELECT pg_notify($5, $4::text)`;
  await client.query(text, [
    JSON.stringify(records.tasks.map((t) => ({ ...t, priority_rank: PRIORITY_RANK[t.priority] }))),
    JSON.stringify(records.items),
    JSON.stringify(records.sessions),
    records.seq,
    CHANGE_CHANNEL,
  ]);
}

export async function writeTasks(client: TransactionClient, tasks: readonly Task[]): Promise<void> {
  if (tasks.length === 0) return;
  const rows = tasks.map((t) => ({ ...t, priority_rank: PRIORITY_RANK[t.priority] }));
  await client.query(UPSERT_TASKS, [JSON.stringify(rows)]);
}
