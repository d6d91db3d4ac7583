/**
 * Merge strategies (SPEC §4 `merge`, the orchestrator seed's merge): pure functions from completed tasks to one
 * answer. `llm_summary` needs an agent and lives in the runtime; any other strategy name is the seed's pass-through.
 */
import type { Task } from '../model/task.js';
import type { MergeInput } from '../tasks/inputs.js';
import { compileUserPattern, firstGroups } from '../util/user-pattern.js';

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
 * objects), on the whole result, on `options.field` of JSON results, or on `options.pattern`'s first group (RE2:
 * linear time, see `util/user-pattern.ts`). Results without the field or pattern abstain. A shared top count is
 * reported as a tie, with no winner. Answers are counted in a `Map`: any text, `__proto__` included, is one answer.
 */
export async function vote(tasks: Task[], options: MergeOptions, limits: { timeoutMs?: number } = {}) {
  const pattern =
    options.pattern === undefined
      ? null
      : compileUserPattern(options.pattern, 'options.pattern', { ignoreCase: true, multiline: true });
  const values = tasks.map((task) => fieldOf(task.result, options.field));
  let answers: unknown[] = values;
  if (pattern !== null) {
    // canonicalJson, not JSON.stringify: a field of a parsed text result may be nested deeper than the stack allows.
    const present = values.filter((v) => v !== undefined).map((v) => (typeof v === 'string' ? v : canonicalJson(v)));
    const groups = await firstGroups(pattern, present, limits);
    answers = values.map((v) => (v === undefined ? undefined : (groups.shift() ?? undefined)));
  }
  const counts = new Map<string, number>();
  const abstained: string[] = [];
  tasks.forEach((task, i) => {
    const answer = answers[i];
    if (answer === undefined) {
      abstained.push(task.id);
      return;
    }
    const key = normalise(answer);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const top = ranked[0]?.[1] ?? 0;
  const leaders = ranked.filter(([, n]) => n === top).map(([answer]) => answer);
  const tie = leaders.length > 1;
  return {
    winner: tie || leaders.length === 0 ? null : (leaders[0] as string),
    votes: top,
    total: tasks.length - abstained.length,
    // Object.fromEntries defines own properties, so "__proto__" is a key like any other.
    distribution: Object.fromEntries(ranked) as Record<string, number>,
    tie,
    ...(tie ? { tied: leaders } : {}),
    ...(abstained.length > 0 ? { abstained } : {}),
  };
}

/** The seed's pass-through for host-defined strategies: the results by task id. */
export function passThrough(tasks: Task[]) {
  return { results: Object.fromEntries(tasks.map((t) => [t.id, t.result ?? null])), source_count: tasks.length };
}

/** The value voted on: the result, or its `field` (a dotted path of own keys); undefined to abstain. */
function fieldOf(result: unknown, field: string | undefined): unknown {
  if (field === undefined) return result ?? null;
  let value = typeof result === 'string' ? parseJson(result) : result;
  for (const key of field.split('.')) {
    // Own keys only: "__proto__" or "constructor" must not reach Object.prototype.
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function normalise(value: unknown): string {
  if (typeof value === 'string') return value.trim().replace(/\s+/g, ' ').toLowerCase();
  return canonicalJson(value);
}

/**
 * JSON with object keys sorted, so that equal objects vote together. Iterative, so a result nested thousands of
 * levels deep (a subagent's text parsed as JSON has no depth limit) cannot overflow the stack.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or literal text (brackets, commas, keys) already decided.
  const stack: Array<{ value: unknown } | string> = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown } | string;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const v = item.value;
    if (Array.isArray(v)) {
      const parts: Array<{ value: unknown } | string> = ['['];
      v.forEach((element, i) => parts.push(...(i > 0 ? [','] : []), { value: element }));
      parts.push(']');
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as { value: unknown } | string);
    } else if (v !== null && typeof v === 'object') {
      const parts: Array<{ value: unknown } | string> = ['{'];
      Object.keys(v)
        .sort()
        .forEach((k, i) =>
          parts.push(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`, { value: (v as Record<string, unknown>)[k] }),
        );
      parts.push('}');
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as { value: unknown } | string);
    } else {
      out.push(JSON.stringify(v ?? null) ?? 'null');
    }
  }
  return out.join('');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
