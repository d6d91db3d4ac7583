import { describe, expect, it } from 'vitest';
import type { AgentModel } from './harness.js';
import { delegateAll, orchestration, waitAll } from './harness.js';

type Vote = {
  strategy: string;
  winner: string | null;
  votes: number;
  total: number;
  distribution: Record<string, number>;
  tie: boolean;
  tied?: string[];
  abstained?: string[];
  missing: unknown[];
};

/** Reviewers `reviewer-1`… answering the given texts, and the `[assignee, description]` list that delegates to them. */
function panel(answers: string[]) {
  const agents: Record<string, object> = {};
  const models: Record<string, AgentModel> = {};
  const entries: Array<[string, string]> = [];
  answers.forEach((text, i) => {
    const id = `reviewer-${i + 1}`;
    agents[id] = {};
    models[id] = () => ({ text });
    entries.push([id, 'Review the submitted code for bugs and style issues.']);
  });
  return { agents, models, entries };
}

describe("merge by voting (the seed's consensus reviews)", () => {
  const world = orchestration();

  it('elects the normalised majority answer with its votes, total and distribution', async () => {
    const { agents, models, entries } = panel(['Approve', 'approve ', 'Reject']);
    const { host } = await world.start({ agents, models });
    const ids = await delegateAll(host, 'review', entries);
    await waitAll(host, ids);

    const vote = await host.ok<Vote>('merge', { group: 'review', strategy: 'voting' });
    expect(vote).toMatchObject({
      strategy: 'voting',
      winner: 'approve',
      votes: 2,
      total: 3,
      distribution: { approve: 2, reject: 1 },
      tie: false,
      missing: [],
    });
    expect(vote).not.toHaveProperty('tied');
  });

  it('reports a 2-2 split as a tie with no winner, listing both answers', async () => {
    const { agents, models, entries } = panel(['Approve', 'Reject', 'APPROVE', ' reject']);
    const { host } = await world.start({ agents, models });
    const ids = await delegateAll(host, 'review', entries);
    await waitAll(host, ids);

    const vote = await host.ok<Vote>('merge', { task_ids: ids, strategy: 'voting' });
    expect(vote).toMatchObject({
      winner: null,
      votes: 2,
      total: 4,
      tie: true,
      distribution: { approve: 2, reject: 2 },
    });
    expect([...vote.tied!].sort()).toEqual(['approve', 'reject']);
  });

  it('votes on the verdict line that options.pattern picks out of longer reviews; reviews without one abstain', async () => {
    const { agents, models, entries } = panel([
      'The error handling is thorough.\nVerdict: Approve\nNit: rename `tmp`.',
      'Two race conditions in the cache.\nVerdict: REJECT',
      'Clean and well tested.\n\nverdict:   approve',
      'I did not get to the end of it.',
    ]);
    const { host } = await world.start({ agents, models });
    const ids = await delegateAll(host, 'review', entries);
    await waitAll(host, ids);

    const vote = await host.ok<Vote>('merge', {
      group: 'review',
      strategy: 'voting',
      options: { pattern: '^verdict:\\s*(approve|reject)\\b' },
    });
    expect(vote).toMatchObject({
      winner: 'approve',
      votes: 2,
      total: 3,
      distribution: { approve: 2, reject: 1 },
      tie: false,
      abstained: [ids[3]],
    });
  });
});
