/**
 * Regular expressions that callers and agents supply (merge voting's `options.pattern`, a Grep tool) run on RE2,
 * through `re2js` (a pure-JS port): matching is linear in the input, with no backtracking, so no pattern can take
 * exponential time. RE2 has no backreferences and no lookaround; such a pattern is refused with a clear error.
 *
 * Linear is not free: the cost is (program size × input length), and a caller controls both. Patterns with a
 * program larger than `MAX_PROGRAM_SIZE` are refused, small jobs run on the event loop, and larger ones in a
 * worker thread with a timeout, so that one caller's pattern never stalls the other sessions.
 */
import * as re2js from 're2js';
import { InputError } from '../errors.js';
import { WorkerFunction, WorkerTimeoutError } from './worker-function.js';

const { RE2JS } = re2js;

/** RE2 program size beyond which a pattern is refused (`^(approve|reject)\b` is 20; `[\s\S]{1,1000}z` is 2002). */
export const MAX_PROGRAM_SIZE = 1000;

/**
 * Work (program size × characters) done on the event loop; more goes to a worker. Measured on this machine's
 * slowest patterns at ~20 ns a unit, so at most ~5 ms of blocking.
 */
export const INLINE_WORK = 250_000;

/** A compiled user pattern, with the field it came from for error messages. */
export interface UserPattern {
  readonly source: string;
  readonly flags: number;
  readonly field: string;
  readonly programSize: number;
}

export interface UserPatternOptions {
  ignoreCase?: boolean;
  /** `^` and `$` match at line breaks. */
  multiline?: boolean;
  /** `.` matches line breaks too. */
  dotAll?: boolean;
}

/** Compiles `source`; a syntax RE2 does not accept, or a pattern too complex, is an `InputError` naming `field`. */
export function compileUserPattern(source: string, field: string, options: UserPatternOptions = {}): UserPattern {
  const flags =
    (options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) |
    (options.multiline ? RE2JS.MULTILINE : 0) |
    (options.dotAll ? RE2JS.DOTALL : 0);
  let compiled: re2js.RE2JS;
  try {
    compiled = RE2JS.compile(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    throw new InputError(
      'bad_pattern',
      `${field}: not a regular expression RE2 accepts (${reason}); backreferences and lookaround are not supported`,
    );
  }
  const programSize = compiled.programSize();
  if (programSize > MAX_PROGRAM_SIZE) {
    throw new InputError(
      'bad_pattern',
      `${field}: too complex (RE2 program size ${programSize}, at most ${MAX_PROGRAM_SIZE}); use fewer or smaller repetition counts`,
    );
  }
  return { source, flags, field, programSize };
}

/** The input of `firstGroups`: what crosses to the worker. */
interface MatchJob {
  source: string;
  flags: number;
  texts: string[];
}

/**
 * For each text, the pattern's first capture group (or the whole match when it has none or it did not take
 * part), or null when it does not match. Self-contained: this function's source also runs in the worker.
 */
function matchFirstGroups(modules: { re2js: typeof re2js }, job: MatchJob): Array<string | null> {
  const re = modules.re2js.RE2JS.compile(job.source, job.flags);
  return job.texts.map((text) => {
    const match = re.exec(text);
    if (!match) return null;
    return typeof match[1] === 'string' ? match[1] : String(match[0]);
  });
}

let worker: WorkerFunction<MatchJob, Array<string | null>> | null = null;

/**
 * `matchFirstGroups` over `texts`: on the event loop when the work is small, else in a worker thread that is
 * abandoned after `timeoutMs` (an `InputError` naming the field).
 */
export async function firstGroups(
  pattern: UserPattern,
  texts: string[],
  options: { timeoutMs?: number } = {},
): Promise<Array<string | null>> {
  const job: MatchJob = { source: pattern.source, flags: pattern.flags, texts };
  const chars = texts.reduce((sum, text) => sum + text.length, 0);
  if (chars * pattern.programSize <= INLINE_WORK) return matchFirstGroups({ re2js }, job);
  worker ??= new WorkerFunction(matchFirstGroups, { modules: { re2js: 're2js' } });
  try {
    return await worker.run(job, options);
  } catch (error) {
    if (error instanceof WorkerTimeoutError) {
      throw new InputError(
        'pattern_timeout',
        `${pattern.field}: matching ${chars} characters ${error.message}; use a simpler pattern or fewer results`,
      );
    }
    throw error;
  }
}

/** The input of `matchLines`: what crosses to the worker. */
interface LinesJob {
  source: string;
  flags: number;
  text: string;
  /** Match across line breaks (the match's first line counts), else line by line. */
  acrossLines: boolean;
}

/**
 * The 0-based numbers of the lines of `job.text` that hold a match, ascending. Self-contained: this function's
 * source also runs in the worker.
 */
function matchLines(modules: { re2js: typeof re2js }, job: LinesJob): number[] {
  const re = modules.re2js.RE2JS.compile(job.source, job.flags);
  const found: number[] = [];
  if (!job.acrossLines) {
    const lines = job.text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) if (re.test(lines[i] as string)) found.push(i);
    return found;
  }
  const starts = [0];
  for (let i = job.text.indexOf('\n'); i !== -1; i = job.text.indexOf('\n', i + 1)) starts.push(i + 1);
  const matcher = re.matcher(job.text);
  while (matcher.find()) {
    // The line holding the match's start: a binary search over the line starts.
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] as number) <= matcher.start()) low = mid;
      else high = mid - 1;
    }
    if (found[found.length - 1] !== low) found.push(low);
    if (matcher.end() === matcher.start() && matcher.end() >= job.text.length) break;
  }
  return found;
}

let linesWorker: WorkerFunction<LinesJob, number[]> | null = null;

/**
 * The lines of `text` that `pattern` matches (Grep): on the event loop when the work is small, else in a worker
 * thread abandoned after `timeoutMs`, so that a large file never stalls the other sessions.
 */
export async function matchingLines(
  pattern: UserPattern,
  text: string,
  options: { acrossLines?: boolean; timeoutMs?: number } = {},
): Promise<number[]> {
  const job: LinesJob = {
    source: pattern.source,
    flags: pattern.flags,
    text,
    acrossLines: options.acrossLines ?? false,
  };
  if (text.length * pattern.programSize <= INLINE_WORK) return matchLines({ re2js }, job);
  linesWorker ??= new WorkerFunction(matchLines, { modules: { re2js: 're2js' } });
  try {
    return await linesWorker.run(job, options);
  } catch (error) {
    if (error instanceof WorkerTimeoutError) {
      throw new InputError(
        'pattern_timeout',
        `${pattern.field}: matching ${text.length} characters ${error.message}; use a simpler pattern or a narrower path`,
      );
    }
    throw error;
  }
}
