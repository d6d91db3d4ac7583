/** baton://tasks/{id} subscriptions (issue 7, item 17): every change of the task reaches its subscribers. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../helpers/core.js';
import { eventually, startCore } from '../helpers/core.js';

describe('task resource subscriptions', () => {
  let core: Core;
  beforeEach(async () => {
    core = await startCore();
  });
  afterEach(async () => {
    await core.close();
  });

  it('sends notifications/resources/updated for each change of a subscribed task, until unsubscribed', async () => {
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'x' });
    const uri = `baton://tasks/${task_id}`;
    const { task_id: other } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'not subscribed',
    });
    await alice.client.subscribeResource({ uri });

    await bob.ok('report_task_progress', { task_id, message: 'half way' });
    await eventually(() => alice.updates.length === 1, 2000, 'an update after the progress');
    await bob.ok('report_task_progress', { task_id: other, message: 'elsewhere' });
    await bob.ok('complete_task', { task_id, result: 'done' });
    await eventually(() => alice.updates.length === 2, 2000, 'an update after the completion');
    expect(alice.updates).toEqual([uri, uri]);
    expect(bob.updates).toEqual([]);

    await alice.client.unsubscribeResource({ uri });
    await bob.ok('report_task_progress', { task_id: other, message: 'more' });
    await alice.ok('cancel_task', { task_id: other });
    await new Promise((r) => setTimeout(r, 100));
    expect(alice.updates).toEqual([uri, uri]);
  });

  it('refuses a subscription to a task the caller is no party to, like an unknown one', async () => {
    const alice = await core.connect('alice');
    const carol = await core.connect('carol');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'x' });
    await expect(carol.client.subscribeResource({ uri: `baton://tasks/${task_id}` })).rejects.toThrow(
      `task not found: ${task_id}`,
    );
  });
});
