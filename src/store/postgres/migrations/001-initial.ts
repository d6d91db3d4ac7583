/**
 * Schema version 1: tasks, inboxes, sessions and the counters that number their changes. schema.ts says what each
 * column and index is for and how the store's queries use them. Never edit a migration once released: add the next.
 */
import type { Migration } from './migration.js';

// Ids and agent ids are compared byte by byte (COLLATE "C"): faster, the same on every server whatever its locale,
// and an id prefix (`baton task 3f2a`) is a range of the primary key.
const sql = `
CREATE TABLE counters (
  name  text COLLATE "C" PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change', 0);

CREATE TABLE tasks (
  id               text COLLATE "C" PRIMARY KEY,
  seq              bigint NOT NULL,
  created_seq      bigint NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('dispatch', 'delegation')),
  status           text NOT NULL
                   CHECK (status IN ('pending', 'in_progress', 'completed', 'failed', 'timed_out', 'cancelled')),
  delegated_by     text COLLATE "C" NOT NULL,
  assignee_id      text COLLATE "C" NOT NULL,
  "group"          text COLLATE "C",
  parent_task_id   text COLLATE "C",
  root_task_id     text COLLATE "C" NOT NULL,
  depends_on       text[] COLLATE "C" NOT NULL DEFAULT '{}',
  priority_rank    smallint NOT NULL,
  created_at       timestamptz NOT NULL,
  deadline         timestamptz,
  finished_at      timestamptz,
  claim_runner     text COLLATE "C",
  claim_epoch      bigint,
  claim_expires_at timestamptz,
  lease_epoch      bigint NOT NULL DEFAULT 0,
  affinity         text COLLATE "C",
  record           jsonb NOT NULL,
  CONSTRAINT tasks_claim_whole CHECK (
    (claim_runner IS NULL) = (claim_epoch IS NULL) AND (claim_runner IS NULL) = (claim_expires_at IS NULL)
  )
);
CREATE UNIQUE INDEX tasks_seq ON tasks (seq);
CREATE UNIQUE INDEX tasks_created_seq ON tasks (created_seq);
CREATE INDEX tasks_delegated_by ON tasks (delegated_by, created_seq);
CREATE INDEX tasks_assignee ON tasks (assignee_id, created_seq);
CREATE INDEX tasks_status ON tasks (status, created_seq);
CREATE INDEX tasks_group ON tasks ("group", created_seq) WHERE "group" IS NOT NULL;
CREATE INDEX tasks_parent ON tasks (parent_task_id, created_seq) WHERE parent_task_id IS NOT NULL;
CREATE INDEX tasks_root ON tasks (root_task_id, created_seq);
CREATE INDEX tasks_depends_on ON tasks USING gin (depends_on) WITH (fastupdate = off);
CREATE INDEX tasks_runnable ON tasks (assignee_id, priority_rank, created_seq) WHERE status = 'in_progress';
CREATE INDEX tasks_live_deadline ON tasks (deadline)
  WHERE status IN ('pending', 'in_progress') AND deadline IS NOT NULL;
CREATE INDEX tasks_claim_expiry ON tasks (claim_expires_at) WHERE claim_runner IS NOT NULL;
CREATE INDEX tasks_finished ON tasks (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE inbox_counters (
  recipient text COLLATE "C" PRIMARY KEY,
  value     bigint NOT NULL
);

CREATE TABLE inbox (
  seq           bigint PRIMARY KEY,
  recipient     text COLLATE "C" NOT NULL,
  recipient_seq bigint NOT NULL,
  event         text NOT NULL,
  task_id       text COLLATE "C",
  created_at    timestamptz NOT NULL,
  item          jsonb NOT NULL,
  CONSTRAINT inbox_recipient_seq UNIQUE (recipient, recipient_seq)
);
CREATE INDEX inbox_recipient ON inbox (recipient, seq);
CREATE INDEX inbox_task ON inbox (recipient, task_id, event, seq) WHERE task_id IS NOT NULL;
CREATE INDEX inbox_created ON inbox (created_at);

CREATE TABLE sessions (
  id         text COLLATE "C" PRIMARY KEY,
  seq        bigint NOT NULL,
  agent_id   text COLLATE "C" NOT NULL,
  owner      text COLLATE "C" NOT NULL,
  notes_from text COLLATE "C",
  updated_at timestamptz NOT NULL,
  record     jsonb NOT NULL
);
CREATE UNIQUE INDEX sessions_seq ON sessions (seq);
CREATE INDEX sessions_updated ON sessions (updated_at);
`;

export const initial: Migration = { version: 1, name: 'tasks, inboxes, sessions and their sequences', sql };
