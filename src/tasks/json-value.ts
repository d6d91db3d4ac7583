/**
 * The one check every JSON value handed to Baton goes through (SPEC §10): task payloads, progress data and
 * results, whoever produces them: a tool call over MCP, a subagent's tool call, a subagent's final answer, a
 * merge. A value that breaks a limit is refused with an error naming it, never cut or changed:
 * - at most 1 MiB once serialised;
 * - nested at most 64 levels deep (so that no walk over stored values can overflow the stack);
 * - numbers finite: JSON has no Infinity or NaN, and `1e309` parses as Infinity, which would be stored as null.
 */
import { InputError } from '../errors.js';

export const JSON_LIMITS = {
  /** SPEC §10: result and payload 1 MiB each. */
  bytes: 1024 * 1024,
  /** Levels of arrays and objects. */
  depth: 64,
} as const;

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | null;
  key: string | number;
}

/**
 * The first problem of `value`, a JSON value called `what` ("payload", "result"…), or null when it is fine.
 * The walk is iterative, so a value of any depth (JSON.parse accepts millions of levels) is checked safely.
 */
function jsonProblem(value: unknown, what: string): string | null {
  const stack: Frame[] = [{ value, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const v = frame.value;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        return `${nameOf(frame, what)}: not a finite number (${v}); JSON numbers must be finite, and 1e309 and the like overflow`;
      }
    } else if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') {
      return `${nameOf(frame, what)}: a ${typeof v} is not a JSON value`;
    } else if (v !== null && typeof v === 'object') {
      if (frame.depth >= JSON_LIMITS.depth) {
        return `${what} is nested deeper than ${JSON_LIMITS.depth} levels; the limit is ${JSON_LIMITS.depth}`;
      }
      const entries: Array<[string | number, unknown]> = Array.isArray(v)
        ? v.map((item, i) => [i, item])
        : Object.entries(v);
      for (const [key, child] of entries) stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  // Depth is bounded now, so JSON.stringify (recursive in V8) cannot overflow.
  return sizeProblem(value, what);
}

/** The size rule alone, for values built from checked ones (a merge of stored results). */
function sizeProblem(value: unknown, what: string): string | null {
  const size = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (size <= JSON_LIMITS.bytes) return null;
  return `${what} is ${size} bytes; the limit is ${JSON_LIMITS.bytes} (1 MiB)`;
}

/** Throws an `InputError` naming `what` (and the path inside it) when `value` breaks a limit. */
export function checkJsonValue(value: unknown, what: string): void {
  throwIf(jsonProblem(value, what));
}

/** Throws an `InputError` naming `what` when `value`, made of values already checked, is over 1 MiB. */
export function checkJsonSize(value: unknown, what: string): void {
  throwIf(sizeProblem(value, what));
}

function throwIf(problem: string | null): void {
  if (problem !== null) throw new InputError('bad_value', problem);
}

/** `what` and the path down to `frame`: "payload.items.3.price". */
function nameOf(frame: Frame, what: string): string {
  const path: Array<string | number> = [];
  for (let at: Frame | null = frame; at?.parent; at = at.parent) path.unshift(at.key);
  return [what, ...path].join('.');
}
