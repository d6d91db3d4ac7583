/**
 * The hand-written check of a stored task (task-reader.ts) against TaskSchema: it accepts only what the schema
 * accepts and gives what the schema gives; anything else goes to the schema, whose error names the field. Through
 * the store, a bad snapshot record is still one line naming file, line, section and field.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { TaskSchema } from '../../../src/model/task.js';
import { NO_SPEND } from '../../../src/model/usage.js';
import { LowdbTaskStore } from '../../../src/store/file/file-task-store.js';
import { TaskReader, readTask } from '../../../src/store/file/task-reader.js';
import { tempDir } from '../../helpers/core.js';
import { task } from '../../helpers/records.js';

const spent = { input_tokens: 10, output_tokens: 5, cache_read_tokens: 0, cache_write_tokens: null, total_tokens: 15 };
/** Well-formed tasks with every optional and nullable part both ways. */
const GOOD = [
  task('plain'),
  task('full', {
    payload: { ref: 'x', files: ['a'] },
    result: 'done',
    status: 'completed',
    status_message: 'ok',
    group: 'g',
    depends_on: ['d1', 'd2'],
    parent_task_id: 'p',
    root_task_id: 'r',
    depth: 2,
    started_at: 'a',
    deadline: 'b',
    finished_at: 'c',
    progress: [
      { at: 't', message: 'm' },
      { at: 't', message: 'm', data: { n: 1 } },
    ],
    error: 'e',
    attempts: 2,
    session_id: 's',
    claim: { runner: 'host:1', epoch: 3, expires_at: 'z' },
    lease_epoch: 3,
    affinity: 'host:1',
    model: 'openai:gpt',
    usage: { ...spent, cost_usd: 0.5, calls: 1 },
    usage_total: { ...spent, cost_usd: null, calls: 2 },
    usage_by_attempt: [{ ...spent, cost_usd: 0, calls: 1, attempt: 1, model: 'openai:gpt' }],
    budget_tokens: 100,
    budget_usd: 1.5,
    seq: 9,
    created_seq: 4,
  }),
  task('nulls', { payload: null, result: null }),
];

/** Values that break a field of some type, one at a time. */
const BAD_VALUES: unknown[] = [
  undefined,
  null,
  'text',
  '',
  0,
  -1,
  1.5,
  2 ** 60,
  true,
  [],
  ['x'],
  [1],
  {},
  { at: 't' },
  { at: 't', message: 'm', extra: 1 },
  { runner: 'r', epoch: 1 },
  { runner: 'r', epoch: 1.5, expires_at: 'z' },
  { ...NO_SPEND, calls: -1 },
  { ...NO_SPEND, extra: 0 },
  [{ ...NO_SPEND, attempt: 0, model: 'm' }],
  [{ ...NO_SPEND, attempt: 1 }],
  [{ at: 't', message: 1 }],
  'pending',
  'dispatch',
  'urgent',
];

const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

describe('readTask', () => {
  it('accepts the well-formed tasks as the schema reads them', () => {
    for (const good of GOOD) {
      const raw = json(good);
      expect(readTask(raw)).toBe(raw); // the same object: no copy
      expect(readTask(json(good))).toEqual(TaskSchema.parse(json(good)));
    }
  });

  it('never accepts what the schema refuses, nor gives what it would not, with any field broken in turn', () => {
    let refused = 0;
    for (const good of GOOD) {
      for (const field of [...Object.keys(TaskSchema.shape), 'unknown_field']) {
        for (const bad of BAD_VALUES) {
          const raw = json(good);
          if (bad === undefined) delete raw[field];
          else raw[field] = bad;
          const expected = TaskSchema.safeParse(json(raw));
          const fast = readTask(json(raw));
          if (fast === null) refused++;
          else {
            expect(expected.success, `${field} = ${JSON.stringify(bad)}`).toBe(true);
            expect(fast).toEqual(expected.data);
          }
          // What the store reads is the schema's answer either way.
          const read = TaskReader.safeParse(json(raw));
          expect(read.success).toBe(expected.success);
          if (read.success && expected.success) expect(read.data).toEqual(expected.data);
          if (!read.success && !expected.success) expect(read.error.issues).toEqual(expected.error.issues);
        }
      }
    }
    expect(refused).toBeGreaterThan(1000); // the breakages were mostly real ones
  });

  it('shares the never-run spend and empty lists, frozen', () => {
    const read = TaskReader.safeParse(json(task('a')));
    const other = TaskReader.safeParse(json(task('b')));
    if (!read.success || !other.success) throw new Error('unreadable');
    expect(read.data.usage).toBe(NO_SPEND);
    expect(read.data.usage_total).toBe(NO_SPEND);
    expect(read.data.progress).toBe(other.data.progress);
    expect(Object.isFrozen(read.data.depends_on)).toBe(true);
    expect(() => read.data.progress.push({ at: 't', message: 'm' })).toThrow(TypeError);
  });
});

describe('a bad stored task under the fast check', () => {
  it('stops the store with one line naming the file, line, section and field, leaving the file as it was', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const file = path.join(dir, 'store.json');
      const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
      for (const id of ['a', 'b', 'c']) await store.transact((tx) => tx.putTask(task(id)));
      await store.close();
      // Fold the journal into the snapshot (a fresh open with a tiny threshold compacts at the next write).
      const compacting = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false, compactMinBytes: 1 });
      await compacting.transact((tx) => tx.putTask(task('d')));
      await compacting.close();
      const lines = (await readFile(file, 'utf8')).split('\n');
      const at = lines.findIndex((l) => l.includes('"id":"c"'));
      expect(at).toBeGreaterThan(0);
      lines[at] = (lines[at] as string).replace('"attempts":0', '"attempts":"zero"');
      await writeFile(file, lines.join('\n'));
      const before = await readFile(file);

      const error = (await LowdbTaskStore.open({ path: file, pollMs: 0 }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toMatch(
        new RegExp(
          `^cannot read store .*store\\.json: line ${at + 1} \\(tasks\\): attempts: Invalid input: expected number, received string; the file was left untouched$`,
        ),
      );
      expect(await readFile(file)).toEqual(before);
    } finally {
      await cleanup();
    }
  });
});
