/**
 * Merge strategies (SPEC §4 `merge`, the orchestrator seed's merge): pure functions from completed tasks to one
 * answer. `llm_summary` needs an agent and lives in the runtime; any other strategy name is the seed's pass-through.
 */
import { InputError } from '../errors.js';
import type { Task } from '../store/records.js';
import type { MergeInput } from '../tasks/inputs.js';

export type MergeOptions = NonNullable<MergeInput['options']>;

/** A task that did not complete, listed instead of merged: one failed input never fails the merge. */
export interface Missing {
  task_id: string;
  status: Task['status'];
  error: string | null;
}

/** The text form of a result: strings as they are, anything else as JSON. */
export function resultText(result: unknown): string {
  return typeof result === 'string' ? result : JSON.stringify(result ?? null);
}

/** concat: every result, in the order given. */
export function concat(tasks: Task[], options: MergeOptions) {
  return {
    result: tasks.map((t) => resultText(t.result)).join(options.separator ?? '\n\n'),
    source_count: tasks.length,
  };
}

/** hierarchical_summary, in the seed's form: one `[task_id] summary` line per result. */
export function hierarchicalSummary(tasks: Task[]) {
  const lines = tasks.map((t) => {
    const r = t.result as { summary?: unknown } | undefined;
    const summary =
      r !== null && typeof r === 'object' && typeof r.summary === 'string' ? r.summary : resultText(t.result);
    return `[${t.id}] ${summary}`;
  });
  return { summary: lines.join('\n'), source_count: tasks.length };
}

/**
 * voting: the most common answer after normalising (trim, case and white space for text; canonical JSON for
 * objects), on the whole result, on `options.field` of JSON results, or on `options.pattern`'s first group.
 * Results without the field or pattern abstain. A shared top count is reported as a tie, with no winner.
 */
export function vote(tasks: Task[], options: MergeOptions) {
  const pattern = options.pattern === undefined ? null : compile(options.pattern);
  const distribution: Record<string, number> = {};
  const abstained: string[] = [];
  for (const task of tasks) {
    const answer = ballot(task.result, options.field, pattern);
    if (answer === null) {
      abstained.push(task.id);
      continue;
    }
    distribution[answer] = (distribution[answer] ?? 0) + 1;
  }
  const ranked = Object.entries(distribution).sort((a, b) => b[1] - a[1]);
  const top = ranked[0]?.[1] ?? 0;
  const leaders = ranked.filter(([, n]) => n === top).map(([answer]) => answer);
  const tie = leaders.length > 1;
  return {
    winner: tie || leaders.length === 0 ? null : (leaders[0] as string),
    votes: top,
    total: tasks.length - abstained.length,
    distribution,
    tie,
    ...(tie ? { tied: leaders } : {}),
    ...(abstained.length > 0 ? { abstained } : {}),
  };
}

/** The seed's pass-through for host-defined strategies: the results by task id. */
export function passThrough(tasks: Task[]) {
  return { results: Object.fromEntries(tasks.map((t) => [t.id, t.result ?? null])), source_count: tasks.length };
}

function ballot(result: unknown, field: string | undefined, pattern: RegExp | null): string | null {
  let value = result;
  if (field !== undefined) {
    if (typeof value === 'string') value = parseJson(value);
    for (const key of field.split('.')) {
      if (value === null || typeof value !== 'object') return null;
      value = (value as Record<string, unknown>)[key];
    }
    if (value === undefined) return null;
  }
  if (pattern !== null) {
    const match = pattern.exec(resultText(value));
    if (!match) return null;
    value = match[1] ?? match[0];
  }
  return normalise(value);
}

function normalise(value: unknown): string {
  if (typeof value === 'string') return value.trim().replace(/\s+/g, ' ').toLowerCase();
  return canonicalJson(value);
}

/** JSON with object keys sorted, so that equal objects vote together. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'im');
  } catch (error) {
    throw new InputError(
      'bad_pattern',
      `options.pattern: not a valid regular expression (${(error as Error).message})`,
    );
  }
}
