/**
 * merge through MCP on answers a caller controls: user patterns on RE2, answers that look like object keys, and
 * results nested deeper than the stack (issue 7, items 1, 10, 11).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core, TestClient } from '../helpers/core.js';
import { startCore } from '../helpers/core.js';

interface Vote {
  winner: string | null;
  votes: number;
  total: number;
  distribution: Record<string, number>;
  abstained?: string[];
}

describe('merge over answers a caller controls', () => {
  let core: Core;
  let alice: TestClient;
  let bob: TestClient;
  beforeEach(async () => {
    core = await startCore();
    alice = await core.connect('alice');
    bob = await core.connect('bob');
  });
  afterEach(async () => {
    await core.close();
  });

  /** alice delegates one task per result to bob, who completes each with it; returns the task ids. */
  async function completed(results: unknown[]): Promise<string[]> {
    const ids: string[] = [];
    for (const result of results) {
      const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
        assignee_id: 'bob',
        description: 'x',
      });
      await bob.ok('complete_task', { task_id, result });
      ids.push(task_id);
    }
    return ids;
  }

  it('elects "constructor" and "__proto__" like any other answer', async () => {
    for (const word of ['constructor', '__proto__']) {
      const task_ids = await completed([word, word, 'x']);
      const vote = await alice.ok<Vote>('merge', { task_ids, strategy: 'voting' });
      expect(vote).toMatchObject({ winner: word, votes: 2, total: 3 });
      expect(Object.entries(vote.distribution)).toEqual([
        [word, 2],
        ['x', 1],
      ]);
    }
  });

  it('lets every result abstain on options.field "__proto__" instead of voting "{}"', async () => {
    const task_ids = await completed([{ verdict: 'yes' }, { verdict: 'no' }]);
    const vote = await alice.ok<Vote>('merge', { task_ids, strategy: 'voting', options: { field: '__proto__' } });
    expect(vote).toMatchObject({ winner: null, total: 0, distribution: {} });
    expect(vote.abstained?.sort()).toEqual([...task_ids].sort());
  });

  // The catastrophic pattern itself is tried on the built CLI (test/e2e/hardening.test.ts), where a regression
  // fails on the client's request timeout instead of hanging the test process.
  it('answers a pattern RE2 refuses (a backreference) with an error naming options.pattern', async () => {
    const task_ids = await completed(['aa', 'b']);
    const error = await alice.err('merge', { task_ids, strategy: 'voting', options: { pattern: '(a)\\1' } });
    expect(error).toMatch(/^options\.pattern: not a regular expression RE2 accepts \(invalid escape sequence/);
  });

  it('votes on a field of a text result nested 5,000 levels deep', async () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const task_ids = await completed([`{"v":${deep}}`, `{"v":${deep}}`]);
    const vote = await alice.ok<Vote>('merge', { task_ids, strategy: 'voting', options: { field: 'v' } });
    expect(vote).toMatchObject({ winner: deep, votes: 2, total: 2 });
  });
});
