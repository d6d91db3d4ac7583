import { describe, expect, it } from 'vitest';
import { canonicalJson, concat, hierarchicalSummary, passThrough, vote } from '../../src/runtime/merge-strategies.js';
import type { Task } from '../../src/store/records.js';

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

  it('voting normalises text: trim, case and white space', () => {
    const out = vote([done('a', 'Approve'), done('b', 'approve '), done('c', 'Reject')], {});
    expect(out).toMatchObject({ winner: 'approve', votes: 2, total: 3, tie: false });
    expect(out.distribution).toEqual({ approve: 2, reject: 1 });
  });

  it('voting reports a tie with no winner', () => {
    const out = vote([done('a', 'yes'), done('b', 'no'), done('c', 'YES'), done('d', ' No')], {});
    expect(out).toMatchObject({ winner: null, tie: true, votes: 2, total: 4 });
    expect(out.tied?.sort()).toEqual(['no', 'yes']);
  });

  it('voting compares JSON canonically and can vote on a field', () => {
    expect(vote([done('a', { x: 1, y: 2 }), done('b', { y: 2, x: 1 }), done('c', { x: 3 })], {}).winner).toBe(
      '{"x":1,"y":2}',
    );
    const byField = vote(
      [done('a', { verdict: 'Approve', why: 'fine' }), done('b', '{"verdict":"approve"}'), done('c', 'no json')],
      { field: 'verdict' },
    );
    expect(byField).toMatchObject({ winner: 'approve', votes: 2, total: 2, abstained: ['c'] });
  });

  it('voting can pick the answer out of text with a pattern', () => {
    const reviews = [
      done('a', 'Looks good overall.\nApprove\n- tests pass'),
      done('b', 'Some nits.\napprove\n- naming'),
      done('c', 'Broken build.\nReject\n- fails'),
    ];
    expect(vote(reviews, { pattern: '^(approve|reject)\\b' })).toMatchObject({ winner: 'approve', votes: 2, total: 3 });
  });

  it('passes results through for other strategy names', () => {
    expect(passThrough([done('a', 1), done('b', 'two')])).toEqual({ results: { a: 1, b: 'two' }, source_count: 2 });
  });

  it('writes canonical JSON with sorted keys at every level', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});
