/**
 * `findTasks` and `countTasks` as SQL (schema.ts, `findTasks(q)`): one clause per filter of the query, each one an
 * index can serve, the order and the cursor as the same sort keys the file store uses (`../cursor.ts`).
 */
import { decodeCursor } from '../cursor.js';
import type { TaskOrder, TaskQuery } from '../task-store.js';
import { TASK_JSON } from './schema.js';

const DEFAULT_LIMIT = 50;

export interface Sql {
  text: string;
  values: unknown[];
}

const ORDER_BY: Record<TaskOrder, string> = {
  newest: 'created_seq DESC',
  oldest: 'created_seq',
  runnable: 'priority_rank, created_seq',
};

/** The page's rows: `limit + 1` of them, the extra one saying there is a next page. */
export function findSql(query: TaskQuery): { sql: Sql; order: TaskOrder; limit: number } {
  const order = query.order ?? 'newest';
  const limit = query.limit ?? DEFAULT_LIMIT;
  const { clauses, values } = filters(query);
  if (query.cursor) {
    const key = decodeCursor(query.cursor, order);
    if (order === 'runnable') {
      values.push(key[0], key[1] ?? 0);
      clauses.push(`(priority_rank, created_seq) > ($${values.length - 1}, $${values.length})`);
    } else {
      values.push(key[0]);
      clauses.push(`created_seq ${order === 'newest' ? '<' : '>'} $${values.length}`);
    }
  }
  values.push(limit + 1);
  const text =
    `SELECT ${TASK_JSON} AS t, priority_rank FROM tasks ${where(clauses)} ` +
    `ORDER BY ${ORDER_BY[order]} LIMIT $${values.length}`;
  return { sql: { text, values }, order, limit };
}

export function countSql(query: TaskQuery): Sql {
  const { clauses, values } = filters(query);
  return { text: `SELECT count(*) AS n FROM tasks ${where(clauses)}`, values };
}

function where(clauses: string[]): string {
  return clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
}

function filters(query: TaskQuery): { clauses: string[]; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (query.party !== undefined) {
    const p = param(query.party);
    clauses.push(
      query.role === 'delegated_by'
        ? `delegated_by = ${p}`
        : query.role === 'assigned_to'
          ? `assignee_id = ${p}`
          : `(delegated_by = ${p} OR assignee_id = ${p})`,
    );
  }
  if (query.status) clauses.push(`status = ANY(${param([...query.status])}::text[])`);
  if (query.live) clauses.push(`status IN ('pending', 'in_progress')`);
  if (query.group !== undefined) clauses.push(`"group" = ${param(query.group)}`);
  if (query.parent !== undefined) clauses.push(`parent_task_id = ${param(query.parent)}`);
  if (query.root !== undefined) clauses.push(`root_task_id = ${param(query.root)}`);
  if (query.dependsOn !== undefined) clauses.push(`depends_on @> ARRAY[${param(query.dependsOn)}::text]`);
  if (query.assignees) clauses.push(`assignee_id = ANY(${param([...query.assignees])}::text[])`);
  if (query.claimable) {
    // The literal status, so that the partial index tasks_runnable applies.
    clauses.push(`status = 'in_progress' AND (claim_runner IS NULL OR claim_expires_at <= statement_timestamp())`);
  }
  if (query.idPrefix !== undefined && query.idPrefix !== '') {
    const prefix = query.idPrefix;
    const last = prefix.charCodeAt(prefix.length - 1);
    const upper = prefix.slice(0, -1) + String.fromCharCode(last + 1);
    // A range of the primary key (ids compare as bytes), checked exactly by starts_with.
    const p = param(prefix);
    clauses.push(`id >= ${p} AND id < ${param(upper)} AND starts_with(id, ${p})`);
  }
  return { clauses, values };
}
