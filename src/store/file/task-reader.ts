/**
 * Reading a stored task of this schema version fast, and holding it in memory compactly (issue 15: start-up and
 * RSS at 100k tasks and more).
 *
 * Loading a store spends its time in the per-record validation (zod builds a new copy of each of the 37 fields,
 * the nested spend records and the arrays) and in the garbage that leaves behind. `readTask` checks the usual
 * well-formed record by hand, in place, and keeps the object `JSON.parse` made. It accepts only what `TaskSchema`
 * accepts and gives what it would give (test/store/file/task-reader.test.ts compares the two over every field
 * broken in turn): anything it is not sure of (a bad field, an unknown key, an unusual shape) goes to the schema,
 * which then also words the error, naming the field. So a bad record is reported exactly as before.
 *
 * `compactTask` then shares what most stored tasks hold the same: the spend of a task never run (`NO_SPEND`),
 * empty lists, `root_task_id` (the task's own id for a root), and the timestamps that are one moment
 * (`started_at` and `updated_at` of a task not changed since its creation, `finished_at` its last update).
 * The shared objects are frozen: a record held by the store is replaced, never changed in place, and a change in
 * place would now throw rather than reach every task at once. About 30 bytes of every 100 a task held.
 */
import { PRIORITIES, TASK_KINDS, TASK_STATUSES, TaskSchema } from '../../model/task.js';
import type { Task } from '../../model/task.js';
import { NO_SPEND } from '../../model/usage.js';
import type { Spend } from '../../model/usage.js';
import type { RecordReader } from './snapshot-file.js';

/** The one empty list every loaded task with an empty list shares. */
const NONE = Object.freeze([]) as never[];

/** The current task schema, checked by hand first: `TaskSchema`'s answers, `compactTask`-ed. */
export const TaskReader: RecordReader<Task> = {
  safeParse(value) {
    const task = readTask(value);
    if (task !== null) return { success: true, data: compactTask(task) };
    const parsed = TaskSchema.safeParse(value);
    return parsed.success ? { success: true, data: compactTask(parsed.data) } : parsed;
  },
};

/** The task `value` is when it is an ordinary well-formed one (the same object), else null: ask the schema. */
export function readTask(value: unknown): Task | null {
  if (!isObject(value)) return null;
  const t = value;
  const keys = TASK_KEYS + (t.payload !== undefined ? 1 : 0) + (t.result !== undefined ? 1 : 0);
  if (countKeys(t) !== keys) return null; // an unknown key (the schema drops it) or a missing one
  const ok =
    typeof t.id === 'string' &&
    KINDS.has(t.kind) &&
    typeof t.delegated_by === 'string' &&
    typeof t.assignee_id === 'string' &&
    typeof t.description === 'string' &&
    STATUSES.has(t.status) &&
    nullableString(t.status_message) &&
    PRIORITY_SET.has(t.priority) &&
    nullableString(t.group) &&
    stringList(t.depends_on) &&
    nullableString(t.parent_task_id) &&
    typeof t.root_task_id === 'string' &&
    int(t.depth) &&
    typeof t.timeout_seconds === 'number' &&
    Number.isFinite(t.timeout_seconds) &&
    typeof t.created_at === 'string' &&
    nullableString(t.started_at) &&
    typeof t.updated_at === 'string' &&
    nullableString(t.deadline) &&
    nullableString(t.finished_at) &&
    progressList(t.progress) &&
    nullableString(t.error) &&
    int(t.attempts) &&
    int(t.max_retries) &&
    nullableString(t.session_id) &&
    (t.claim === null || claim(t.claim)) &&
    int(t.lease_epoch) &&
    nullableString(t.affinity) &&
    nullableString(t.model) &&
    spend(t.usage) &&
    spend(t.usage_total) &&
    attemptList(t.usage_by_attempt) &&
    (t.budget_tokens === null || (int(t.budget_tokens) && t.budget_tokens > 0)) &&
    (t.budget_usd === null || (finite(t.budget_usd) && t.budget_usd > 0)) &&
    int(t.seq) &&
    int(t.created_seq);
  return ok ? (t as unknown as Task) : null;
}

/** Shares the values most tasks hold the same (see the file comment). Changes `task` in place and returns it. */
export function compactTask(task: Task): Task {
  const t = task as { -readonly [K in keyof Task]: Task[K] };
  if (isNoSpend(t.usage)) t.usage = NO_SPEND;
  if (isNoSpend(t.usage_total)) t.usage_total = NO_SPEND;
  if (t.usage_by_attempt.length === 0) t.usage_by_attempt = NONE;
  if (t.progress.length === 0) t.progress = NONE;
  if (t.depends_on.length === 0) t.depends_on = NONE;
  if (t.root_task_id === t.id) t.root_task_id = t.id;
  // A task is created started (`started_at` = `updated_at` = `created_at`) and ends at its last update.
  if (t.started_at === t.created_at) t.started_at = t.created_at;
  if (t.updated_at === t.created_at) t.updated_at = t.created_at;
  if (t.finished_at === t.updated_at) t.finished_at = t.updated_at;
  return task;
}

// ---- the checks -------------------------------------------------------------------------------------------------

type Fields = Record<string, unknown>;

/** The task's fields that are always there (all but `payload` and `result`). */
const TASK_KEYS = Object.keys(TaskSchema.shape).length - 2;
const KINDS: ReadonlySet<unknown> = new Set(TASK_KINDS);
const STATUSES: ReadonlySet<unknown> = new Set(TASK_STATUSES);
const PRIORITY_SET: ReadonlySet<unknown> = new Set(PRIORITIES);
const SPEND_KEYS = 7;
const ATTEMPT_KEYS = SPEND_KEYS + 2;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countKeys(value: Fields): number {
  let n = 0;
  for (const key in value) if (Object.hasOwn(value, key)) n++;
  return n;
}

const int = (v: unknown): v is number => Number.isSafeInteger(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const nullableString = (v: unknown) => v === null || typeof v === 'string';
const count = (v: unknown) => v === null || (int(v) && v >= 0);

function stringList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const item of v) if (typeof item !== 'string') return false;
  return true;
}

function progressList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const entry of v) {
    if (!isObject(entry) || typeof entry.at !== 'string' || typeof entry.message !== 'string') return false;
    if (countKeys(entry) !== (entry.data !== undefined ? 3 : 2)) return false;
  }
  return true;
}

function claim(v: unknown): boolean {
  return (
    isObject(v) &&
    countKeys(v) === 3 &&
    typeof v.runner === 'string' &&
    int(v.epoch) &&
    typeof v.expires_at === 'string'
  );
}

function spendFields(v: Fields): boolean {
  return (
    count(v.input_tokens) &&
    count(v.output_tokens) &&
    count(v.cache_read_tokens) &&
    count(v.cache_write_tokens) &&
    count(v.total_tokens) &&
    (v.cost_usd === null || (finite(v.cost_usd) && v.cost_usd >= 0)) &&
    int(v.calls) &&
    v.calls >= 0
  );
}

function spend(v: unknown): boolean {
  return isObject(v) && countKeys(v) === SPEND_KEYS && spendFields(v);
}

function attemptList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const a of v) {
    if (!isObject(a) || countKeys(a) !== ATTEMPT_KEYS || !spendFields(a)) return false;
    if (!int(a.attempt) || a.attempt <= 0 || typeof a.model !== 'string') return false;
  }
  return true;
}

function isNoSpend(s: Spend): boolean {
  return (
    s === NO_SPEND ||
    (s.calls === 0 &&
      s.input_tokens === null &&
      s.output_tokens === null &&
      s.cache_read_tokens === null &&
      s.cache_write_tokens === null &&
      s.total_tokens === null &&
      s.cost_usd === null)
  );
}
