/**
 * SPEC §10 limits on JSON values, whoever produces them (issue 7, items 4, 9, 11): 1 MiB, 64 levels, finite
 * numbers. A value over a limit is refused with an error naming it and changes nothing; a subagent whose final
 * answer is longer fails its task.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import type { Core } from '../helpers/core.js';
import { useSandbox } from '../helpers/sandbox.js';

const MiB = 1024 * 1024;
const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}1${']'.repeat(levels)}`);

describe('limits on payloads, progress data and results', () => {
  const sandbox = useSandbox();

  const files = (core: Core) =>
    Promise.all([readFile(core.storePath, 'utf8'), readFile(`${core.storePath}.journal`, 'utf8')]);

  it('refuses numbers JSON cannot hold (1e309 parses as Infinity) in payload, data and result, naming the field', async () => {
    const core = await sandbox.start();
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'x' });
    const before = await files(core);
    // What a JSON-RPC message `{"price": 1e309}` parses to.
    const overflow = JSON.parse('{"price": 1e309}') as { price: number };
    expect(overflow.price).toBe(Infinity);

    expect(
      await alice.err('delegate_task', { assignee_id: 'bob', description: 'x', payload: { items: [overflow] } }),
    ).toMatch(/^payload\.items\.0\.price: not a finite number \(Infinity\)/);
    expect(await bob.err('report_task_progress', { task_id, message: 'm', data: { ratio: NaN } })).toMatch(
      /^data\.ratio: not a finite number \(NaN\)/,
    );
    expect(await bob.err('complete_task', { task_id, result: -Infinity })).toMatch(
      /^result: not a finite number \(-Infinity\)/,
    );
    expect(await files(core)).toEqual(before);
  });

  it('accepts values 64 levels deep and refuses deeper ones (the 4,105-level result of the report)', async () => {
    const core = await sandbox.start();
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'x',
      payload: nested(64),
    });
    expect(await bob.err('complete_task', { task_id, result: nested(4105) })).toBe(
      'result is nested deeper than 64 levels; the limit is 64',
    );
    expect(await alice.err('delegate_task', { assignee_id: 'bob', description: 'x', payload: nested(65) })).toBe(
      'payload is nested deeper than 64 levels; the limit is 64',
    );
    await bob.ok('complete_task', { task_id, result: nested(64) });
  });

  it("fails a subagent's task whose final answer is over 1 MiB, storing neither the answer nor the conversation", async () => {
    await sandbox.fakeOpenAi([{ text: 'x'.repeat(2 * MiB) }]);
    await writeAgent(sandbox.agentsDir, 'rambler', { model: 'openai:gpt-test' });
    const core = await sandbox.start();
    const host = await core.connect('host');

    const error = await host.err('subagent_dispatch', { agent_id: 'rambler', task: 'Say a lot.' });
    // The answer's JSON form (quotes included) is what the limit measures.
    const reason = `the agent's final answer is ${2 * MiB + 2} bytes; the limit is ${MiB} (1 MiB)`;
    expect(error).toBe(`rambler failed: ${reason}`);
    const [task] = (await core.store.findTasks({})).tasks;
    expect(task).toMatchObject({ status: 'failed', error: reason });
    expect(task).not.toHaveProperty('result');
    expect(task?.session_id && (await core.store.getSession(task.session_id))).toBeFalsy();
    const [snapshot, journal] = await files(core);
    expect(snapshot.length + journal.length).toBeLessThan(MiB);
  });

  it('refuses a merge whose result would be over 1 MiB, though each input is within it', async () => {
    const core = await sandbox.start();
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    const task_ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
        assignee_id: 'bob',
        description: 'x',
      });
      await bob.ok('complete_task', { task_id, result: 'y'.repeat(600 * 1024) });
      task_ids.push(task_id);
    }
    for (const strategy of ['concat', 'hierarchical_summary', 'anything-else']) {
      expect(await alice.err('merge', { task_ids, strategy }), strategy).toMatch(
        /^the merged result is \d+ bytes; the limit is 1048576 \(1 MiB\)$/,
      );
    }
    expect(await alice.ok('merge', { task_ids: [task_ids[0]], strategy: 'concat' })).toMatchObject({ source_count: 1 });
  });
});
