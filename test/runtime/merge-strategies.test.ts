import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { canonicalJson, concat, hierarchicalSummary, passThrough, vote } from '../../src/runtime/merge-strategies.js';
import type { Task } from '../../src/model/task.js';

const done = (id: string, result: unknown) => ({ id, result, status: 'completed' }) as unknown as Task;

describe('merge strategies', () => {
  it('concat joins results in order, JSON for non-text', () => {
    expect(concat([done('a', 'one'), done('b', { n: 2 })], {})).toEqual({ result: 'one\n\n{"n":2}', source_count: 2 });
    expect(concat([done('a', 'x'), done('b', 'y')], { separator: ' | ' }).result).toBe('x | y');
  });

  it('hierarchical_summary writes the seed form, using a result summary field when there is one', () => {
    expect(hierarchicalSummary([done('t1', 'plain text'), done('t2', { summary: 'short', detail: 'long' })])).toEqual({
      summary: '[t1] plain text\n[t2] short',
      source_count: 2,
    });
  });

  it('voting normalises text: trim, case and white space', async () => {
    const out = await vote([done('a', 'Approve'), done('b', 'approve '), done('c', 'Reject')], {});
    expect(out).toMatchObject({ winner: 'approve', votes: 2, total: 3, tie: false });
    expect(out.distribution).toEqual({ approve: 2, reject: 1 });
  });

  it('voting reports a tie with no winner', async () => {
    const out = await vote([done('a', 'yes'), done('b', 'no'), done('c', 'YES'), done('d', ' No')], {});
    expect(out).toMatchObject({ winner: null, tie: true, votes: 2, total: 4 });
    expect(out.tied?.sort()).toEqual(['no', 'yes']);
  });

  it('voting compares JSON canonically and can vote on a field', async () => {
    expect((await vote([done('a', { x: 1, y: 2 }), done('b', { y: 2, x: 1 }), done('c', { x: 3 })], {})).winner).toBe(
      '{"x":1,"y":2}',
    );
    const byField = await vote(
      [done('a', { verdict: 'Approve', why: 'fine' }), done('b', '{"verdict":"approve"}'), done('c', 'no json')],
      { field: 'verdict' },
    );
    expect(byField).toMatchObject({ winner: 'approve', votes: 2, total: 2, abstained: ['c'] });
  });

  it('voting can pick the answer out of text with a pattern', async () => {
    const reviews = [
      done('a', 'Looks good overall.\nApprove\n- tests pass'),
      done('b', 'Some nits.\napprove\n- naming'),
      done('c', 'Broken build.\nReject\n- fails'),
    ];
    expect(await vote(reviews, { pattern: '^(approve|reject)\\b' })).toMatchObject({
      winner: 'approve',
      votes: 2,
      total: 3,
    });
  });

  it('passes results through for other strategy names', () => {
    expect(passThrough([done('a', 1), done('b', 'two')])).toEqual({ results: { a: 1, b: 'two' }, source_count: 2 });
  });

  it('writes canonical JSON with sorted keys at every level', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });

  describe('options.pattern runs on RE2 (linear time)', () => {
    it('refuses what RE2 cannot do (backreferences, lookaround) with an error naming options.pattern', async () => {
      for (const pattern of ['(a)\\1', '^(?=approve)(\\w+)', '(']) {
        const error = await vote([done('a', 'aa')], { pattern }).catch((e: unknown) => e);
        expect(error, pattern).toBeInstanceOf(InputError);
        expect((error as Error).message).toMatch(/^options\.pattern: not a regular expression RE2 accepts/);
      }
    });

    it('refuses a pattern whose RE2 program is too large, naming options.pattern', async () => {
      await expect(vote([done('a', 'x')], { pattern: '[\\s\\S]{1,1000}z' })).rejects.toThrow(
        /^options\.pattern: too complex \(RE2 program size 2002, at most 1000\)/,
      );
    });

    it('matches large results in a worker thread, leaving the event loop free meanwhile', async () => {
      const long = (verdict: string) => done(verdict, `${'lorem ipsum '.repeat(20_000)}\n${verdict}\n`);
      let ticked = false;
      setTimeout(() => (ticked = true), 0);
      const out = await vote([long('Approve'), long('approve'), long('Reject')], { pattern: '^(approve|reject)$' });
      expect(out).toMatchObject({ winner: 'approve', votes: 2, total: 3 });
      // Inline matching would have resolved before any timer could fire.
      expect(ticked).toBe(true);
    });

    it('gives up on a match that runs past its time limit, naming options.pattern', async () => {
      const text = 'lorem ipsum dolor sit amet '.repeat(40_000);
      const pattern = `${'(a|aa)*'.repeat(60)}z`; // program size 423: seconds over 1 MB
      await expect(vote([done('a', text)], { pattern }, { timeoutMs: 50 })).rejects.toThrow(
        /^options\.pattern: matching \d+ characters took longer than 0\.05 s/,
      );
    });
  });

  describe('answers that look like object keys', () => {
    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
      'counts %j like any other answer',
      async (word) => {
        const out = await vote([done('a', word), done('b', word), done('c', 'x')], {});
        expect(out).toMatchObject({ winner: word.toLowerCase(), votes: 2, total: 3, tie: false });
        expect(Object.entries(out.distribution)).toEqual([
          [word.toLowerCase(), 2],
          ['x', 1],
        ]);
      },
    );

    it.each(['__proto__', 'constructor', 'toString'])(
      'abstains when options.field is %j and no result has it',
      async (field) => {
        const out = await vote([done('a', { verdict: 'yes' }), done('b', '{"verdict":"no"}')], { field });
        expect(out).toMatchObject({ winner: null, votes: 0, total: 0, abstained: ['a', 'b'], distribution: {} });
      },
    );

    it('votes on an own "__proto__" field of a JSON result', async () => {
      const out = await vote([done('a', '{"__proto__":"yes"}'), done('b', '{"__proto__":"yes"}')], {
        field: '__proto__',
      });
      expect(out).toMatchObject({ winner: 'yes', votes: 2 });
    });
  });

  describe('deeply nested results', () => {
    const deep = (levels: number) => `${'['.repeat(levels)}"x"${']'.repeat(levels)}`;

    it('votes on a field nested thousands of levels deep without overflowing the stack', async () => {
      const text = `{"verdict":${deep(20_000)}}`;
      const out = await vote([done('a', text), done('b', text)], { field: 'verdict' });
      expect(out).toMatchObject({ votes: 2, total: 2, tie: false });
      expect(out.winner).toBe(deep(20_000));
    });

    it('writes canonical JSON of any depth', () => {
      const value = JSON.parse(deep(50_000)) as unknown;
      expect(canonicalJson(value)).toBe(deep(50_000));
    });
  });
});
