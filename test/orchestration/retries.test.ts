import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/model/task.js';
import type { AgentModel, Created } from './harness.js';
import { orchestration, requestsOf, waitAll } from './harness.js';

const PROVIDER_500 = 'openai: HTTP 500: The server had an error while processing your request.';

/** A model that answers 500 to its first `failures` calls, then `text`. */
function failingFirst(failures: number, text: string): AgentModel {
  let calls = 0;
  return () => (++calls <= failures ? { status: 500 } : { text });
}

describe('max_retries: a failed run is tried again', () => {
  const world = orchestration();

  it('completes on the second attempt of an agent with max_retries 1 whose first attempt failed', async () => {
    // Three 500s use up the first attempt (one call and the provider's two retries); the fourth call succeeds.
    const { host, fake } = await world.start({
      agents: { fragile: { max_retries: 1 } },
      models: { fragile: failingFirst(3, 'made it on the second attempt') },
    });
    const { task_id } = await host.ok<Created>('delegate_task', { assignee_id: 'fragile', description: 'Try it.' });

    const waited = await waitAll(host, [task_id]);
    expect(waited.tasks[0]).toMatchObject({ status: 'completed', result: 'made it on the second attempt' });
    const { task } = await host.ok<{ task: Task }>('get_task', { task_id });
    expect(task).toMatchObject({ status: 'completed', attempts: 2, max_retries: 1, error: null });
    expect(requestsOf(fake, 'fragile')).toHaveLength(4);
    // The failed attempt is not a failure the delegator hears of.
    const inbox = await host.ok<{ items: Array<{ event: string }> }>('read_inbox', {});
    expect(inbox.items.map((i) => i.event)).toEqual(['task.notification.completed']);
  });

  it("fails after one attempt of an agent with max_retries 0, with the provider's message", async () => {
    const { host, fake } = await world.start({
      agents: { brittle: { max_retries: 0 } },
      models: { brittle: failingFirst(3, 'would have made it on a second attempt') },
    });
    const { task_id } = await host.ok<Created>('delegate_task', { assignee_id: 'brittle', description: 'Try it.' });

    const waited = await waitAll(host, [task_id]);
    expect(waited.tasks[0]).toMatchObject({ status: 'failed', error: PROVIDER_500 });
    const { task } = await host.ok<{ task: Task }>('get_task', { task_id });
    expect(task).toMatchObject({ status: 'failed', attempts: 1, max_retries: 0 });
    expect(requestsOf(fake, 'brittle')).toHaveLength(3);
  });

  it("takes the delegator's max_retries over the agent's", async () => {
    const { host } = await world.start({
      agents: { brittle: { max_retries: 0 } },
      models: { brittle: failingFirst(3, 'made it because the delegator allowed a retry') },
    });
    const { task_id } = await host.ok<Created>('delegate_task', {
      assignee_id: 'brittle',
      description: 'Try it.',
      max_retries: 1,
    });
    await waitAll(host, [task_id]);
    const { task } = await host.ok<{ task: Task }>('get_task', { task_id });
    expect(task).toMatchObject({
      status: 'completed',
      result: 'made it because the delegator allowed a retry',
      attempts: 2,
    });
  });
});
