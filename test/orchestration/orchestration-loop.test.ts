import { describe, expect, it } from 'vitest';
import type { Waited } from './harness.js';
import { delegateAll, orchestration, requestsOf, taskOf } from './harness.js';

const PLAN = 'Plan:\n1. Gather the requirements.\n2. Migrate the schema.\n3. Load-test the API.';
const PROVIDER_500 = 'openai: HTTP 500: The server had an error while processing your request.';

describe("the seed's full orchestration loop: plan, fan out, handle failures, cancel, merge", () => {
  const world = orchestration();

  it('shows a failed worker, cancels a hanging one and merges what completed, listing the rest as missing', async () => {
    const { host, fake } = await world.start({
      agents: { planner: {}, 'worker-1': {}, 'worker-2': {}, 'worker-3': {} },
      models: {
        planner: () => ({ text: PLAN }),
        'worker-1': () => ({ status: 500 }), // every call, retries included
        'worker-2': () => ({ text: 'Part 2 done: schema migrated, 14 tables.', delayMs: 300 }),
        'worker-3': () => ({ hang: true }),
      },
    });

    // Step 2: run the planner and wait for its answer.
    const planned = await host.ok<{ result: string; status: string }>('subagent_dispatch', {
      agent_id: 'planner',
      task: 'Create an execution plan for: ship v2 of the API',
    });
    expect(planned).toMatchObject({ status: 'completed', result: PLAN });

    // Step 3: fan out the workers with the plan.
    const [failing, working, hanging] = await delegateAll(host, 'exec', [
      ['worker-1', `Execute part 1 of the plan: ${planned.result}`],
      ['worker-2', `Execute part 2 of the plan: ${planned.result}`],
      ['worker-3', `Execute part 3 of the plan: ${planned.result}`],
    ]);
    // The three runs start in any order: wait for each one's first request.
    await fake.waitFor(() => ['worker-1', 'worker-2', 'worker-3'].every((w) => requestsOf(fake, w).length >= 1));
    for (const [i, worker] of ['worker-1', 'worker-2', 'worker-3'].entries()) {
      expect(taskOf(requestsOf(fake, worker)[0]!)).toBe(`Execute part ${i + 1} of the plan: ${PLAN}`);
    }

    // Step 4: await. The failure is the first to end, and it is visible with the provider's message.
    const first = await host.ok<Waited>('wait_for_tasks', { group: 'exec', mode: 'any', timeout_seconds: 5 });
    expect(first).toMatchObject({ done: true, timed_out: false });
    expect(first.tasks.find((t) => t.id === failing)).toMatchObject({
      assignee_id: 'worker-1',
      status: 'failed',
      error: PROVIDER_500,
    });
    expect(first.pending_task_ids).toEqual([working, hanging]);
    expect(requestsOf(fake, 'worker-1')).toHaveLength(3); // one call and the provider's two retries

    const two = await host.ok<Waited>('wait_for_tasks', { task_ids: [failing, working], mode: 'all' });
    expect(two.tasks).toEqual([
      expect.objectContaining({ id: failing, status: 'failed', error: PROVIDER_500 }),
      expect.objectContaining({ id: working, status: 'completed', result: 'Part 2 done: schema migrated, 14 tables.' }),
    ]);
    // The whole group does not end: the wait gives up and says which task is still running.
    const all = await host.ok<Waited>('wait_for_tasks', { group: 'exec', mode: 'all', timeout_seconds: 0.2 });
    expect(all).toMatchObject({ done: false, timed_out: true, pending_task_ids: [hanging] });

    // Step 5: cancel the one still running; its in-flight model call is cut.
    const cancelled = await host.ok('cancel_task', { task_id: hanging, reason: 'a worker failed; stopping the rest' });
    expect(cancelled).toMatchObject({ task_id: hanging, status: 'cancelled', changed: true });
    await fake.waitFor(() => fake.aborted === 1);

    // Step 6: merge. One failed input never fails the merge: it is listed under missing with its status.
    const missing = [
      { task_id: failing, status: 'failed', error: PROVIDER_500 },
      { task_id: hanging, status: 'cancelled', error: 'a worker failed; stopping the rest' },
    ];
    const concat = await host.ok('merge', { group: 'exec', strategy: 'concat' });
    expect(concat).toEqual({
      strategy: 'concat',
      task_ids: [failing, working, hanging],
      result: 'Part 2 done: schema migrated, 14 tables.',
      source_count: 1,
      missing,
    });
    const summary = await host.ok('merge', { group: 'exec', strategy: 'hierarchical_summary' });
    expect(summary).toMatchObject({
      summary: `[${working}] Part 2 done: schema migrated, 14 tables.`,
      source_count: 1,
      missing,
    });
    expect(fake.requests).toHaveLength(1 + 3 + 1 + 1); // planner, worker-1 × 3, worker-2, worker-3
  });
});
