/**
 * The records of the store file by schema version, and the upgrade of an older file's records to this version.
 *
 * Version 1 (up to issue 8): tasks carried `runner` (the `host:pid` that ran them) and no sequence numbers; only
 * inbox items had one (an inbox-only counter). Version 2: one store-wide change sequence (`seq` on every task,
 * inbox item and session, `created_seq` on tasks), and claims with a lease epoch instead of `runner`. Version 3
 * (issue 11): tasks carry their spend (`usage`, `usage_total`, `usage_by_attempt`) and budgets; an older task
 * is read as having spent nothing Baton knows of, with no budget.
 */
import { z } from 'zod';
import { InboxItemSchema } from '../../model/inbox.js';
import type { InboxItem } from '../../model/inbox.js';
import { SessionSchema } from '../../model/session.js';
import type { Session } from '../../model/session.js';
import { NOT_RUN, NO_USAGE, TaskSchema } from '../../model/task.js';
import type { Task } from '../../model/task.js';
import type { RecordReader } from './snapshot-file.js';
import { TaskReader } from './task-reader.js';

export const SCHEMA_VERSION = 3;

/** A journal line after the header: a record that replaces the one with the same id, or a lease renewal. */
export type JournalRecord =
  | { task: Task }
  | { inbox: InboxItem }
  | { session: Session }
  /** A renewal: the claim of that epoch now expires later. Not a change (no seq). */
  | { lease: LeaseRenewal };

export const LeaseRenewalSchema = z.object({ task_id: z.string(), epoch: z.number().int(), expires_at: z.string() });
export type LeaseRenewal = z.infer<typeof LeaseRenewalSchema>;

export interface RecordSchemas {
  task: RecordReader<Task>;
  inbox: RecordReader<InboxItem>;
  session: RecordReader<Session>;
  lease: RecordReader<LeaseRenewal>;
}

/** This version's records; a task is checked by hand first and held compactly (`task-reader.ts`). */
const CURRENT: RecordSchemas = {
  task: TaskReader,
  inbox: InboxItemSchema,
  session: SessionSchema,
  lease: LeaseRenewalSchema,
};

/** The fields version 3 added to a task, and what an older task holds in them. */
const V3_FIELDS = {
  usage: true,
  usage_total: true,
  usage_by_attempt: true,
  budget_tokens: true,
  budget_usd: true,
} as const;
const NO_BUDGET = { budget_tokens: null, budget_usd: null } as const;

/** Version 2 records: tasks without spend or budgets. */
const V2: RecordSchemas = {
  ...CURRENT,
  task: TaskSchema.omit(V3_FIELDS).transform((task) => ({ ...task, ...NO_USAGE, ...NO_BUDGET })),
};

/** Version 1 records, read into this version's shape with placeholders that `upgrade` fills in. */
const V1: RecordSchemas = {
  task: TaskSchema.omit({
    ...V3_FIELDS,
    claim: true,
    lease_epoch: true,
    affinity: true,
    model: true,
    seq: true,
    created_seq: true,
  })
    .extend({ runner: z.string().nullable().optional() })
    .transform(({ runner: _runner, ...task }) => ({ ...task, ...NOT_RUN, ...NO_BUDGET })),
  inbox: InboxItemSchema,
  session: SessionSchema.omit({ seq: true }).transform((session) => ({ ...session, seq: 0 })),
  lease: LeaseRenewalSchema,
};

/** The record schemas of a file of `version` (one this Baton can read: checked by the caller). */
export function recordSchemas(version: number): RecordSchemas {
  return version < 2 ? V1 : version < 3 ? V2 : CURRENT;
}

/**
 * Brings the records of an older store, loaded in creation order, to this version. Returns the new head seq.
 * Version 2 needs nothing beyond its records read (`recordSchemas`); version 1 needs its sequence numbers.
 */
export function upgradeRecords(
  state: { tasks: Map<string, Task>; sessions: Map<string, Session> },
  headSeq: number,
  version: number,
): number {
  return version < 2 ? upgradeFromV1(state, headSeq) : headSeq;
}

/**
 * Gives the records of a version-1 store, loaded in creation order, their sequence numbers: after every inbox
 * sequence number already handed out, so that inbox cursors clients hold stay valid. Returns the new head seq.
 */
export function upgradeFromV1(
  state: { tasks: Map<string, Task>; sessions: Map<string, Session> },
  headSeq: number,
): number {
  let seq = headSeq;
  for (const [id, task] of state.tasks) {
    seq++;
    state.tasks.set(id, { ...task, seq, created_seq: seq });
  }
  for (const [id, session] of state.sessions) state.sessions.set(id, { ...session, seq: ++seq });
  return seq;
}
