import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/model/task.js';
import { LowdbTaskStore } from '../../src/store/file/file-task-store.js';
import { writeAgent } from '../helpers/agents.js';
import type { Core } from '../helpers/core.js';
import { eventually, startCore } from '../helpers/core.js';
import type { CoreOptions } from '../helpers/core.js';
import { task } from '../helpers/records.js';
import { useSandbox } from '../helpers/sandbox.js';

type Created = { task_id: string; status: string; assignee_id: string; delegated_by: string };
type Inbox = { items: Array<{ event: string; task_id: string; content: string | null }> };

describe('background subagent tasks (delegate_task to a defined agent)', () => {
  const sandbox = useSandbox();
  const agentsDir = () => sandbox.agentsDir;
  const start = (options: CoreOptions = {}) => sandbox.start(options);
  /** Waits until the task is in a terminal status and returns it. */
  const settled = (core: Core, taskId: string, timeoutMs = 5000) =>
    eventually(
      async () => {
        const task = await core.tasks.peek(taskId);
        return task && !['pending', 'in_progress'].includes(task.status) ? task : null;
      },
      timeoutMs,
      `task ${taskId} to end`,
    );

  it("completes with the agent's answer, with nobody else acting", async () => {
    const fake = await sandbox.fakeOpenAi([{ text: 'Three sources found.' }]);
    await writeAgent(agentsDir(), 'researcher', { model: 'openai:gpt-test', body: 'You research.' });
    const core = await start();
    const host = await core.connect('host');

    const created = await host.ok<Created>('delegate_task', {
      assignee_id: 'researcher',
      description: 'Find sources on tides.',
      payload: { depth: 'short' },
    });
    expect(created).toMatchObject({ status: 'in_progress', assignee_id: 'researcher', delegated_by: 'host' });

    const task = await settled(core, created.task_id);
    expect(task).toMatchObject({ status: 'completed', result: 'Three sources found.', kind: 'delegation' });
    const { task: seen } = await host.ok<{ task: Task }>('get_task', { task_id: created.task_id });
    expect(seen).toMatchObject({ status: 'completed', result: 'Three sources found.' });
    // The model got the task and its payload.
    const user = fake.requests[0]!.body.messages[1]!;
    expect(user).toMatchObject({ role: 'user' });
    expect(String(user.content)).toBe('Find sources on tides.\n\nPayload:\n{\n  "depth": "short"\n}');
  });

  it("takes the agent's own timeout and retries when the delegator gives none", async () => {
    const fake = await sandbox.fakeOpenAi([{ hang: true }]);
    await writeAgent(agentsDir(), 'slow', { model: 'openai:gpt-test', timeout_seconds: 1, max_retries: 2 });
    const core = await start();
    const host = await core.connect('host');
    const created = await host.ok<Created>('delegate_task', { assignee_id: 'slow', description: 'think' });
    expect(await core.tasks.peek(created.task_id)).toMatchObject({ timeout_seconds: 1, max_retries: 2 });
    const task = await settled(core, created.task_id, 3000);
    expect(task).toMatchObject({ status: 'timed_out', error: 'timed out after 1 s' });
    await fake.waitFor(() => fake.aborted === 1);
    // An explicit value wins over the definition.
    const explicit = await host.ok<Created>('delegate_task', {
      assignee_id: 'slow',
      description: 'think longer',
      timeout_seconds: 30,
      max_retries: 0,
    });
    expect(await core.tasks.peek(explicit.task_id)).toMatchObject({ timeout_seconds: 30, max_retries: 0 });
  });

  it("records the agent's progress and notifies the delegator of progress and completion", async () => {
    await sandbox.fakeOpenAi([
      { toolCalls: [{ name: 'report_task_progress', arguments: { message: 'read 2 of 3', data: { read: 2 } } }] },
      { text: 'All read.' },
    ]);
    await writeAgent(agentsDir(), 'reader', { model: 'openai:gpt-test' });
    const core = await start();
    const host = await core.connect('host');

    const { task_id } = await host.ok<Created>('delegate_task', { assignee_id: 'reader', description: 'Read all 3.' });
    expect(await settled(core, task_id)).toMatchObject({ status: 'completed', result: 'All read.' });

    const { task } = await host.ok<{ task: Task }>('get_task', { task_id });
    expect(task.progress).toMatchObject([{ message: 'read 2 of 3', data: { read: 2 } }]);
    const inbox = await host.ok<Inbox>('read_inbox', {});
    expect(inbox.items.map((i) => [i.event, i.task_id])).toEqual([
      ['task.notification.progress', task_id],
      ['task.notification.completed', task_id],
    ]);
    expect(inbox.items[0]!.content).toBe('read 2 of 3');
    const live = await eventually(
      () => (host.messages.length >= 2 ? host.messages : null),
      2000,
      'live notifications to the delegator',
    );
    expect(live.map((m) => (m as { event: string }).event)).toEqual([
      'task.notification.progress',
      'task.notification.completed',
    ]);
  });

  it('completes the task with the JSON result the agent gives complete_task', async () => {
    const fake = await sandbox.fakeOpenAi([
      { toolCalls: [{ name: 'complete_task', arguments: { result: { answer: 42, sure: true } } }] },
    ]);
    await writeAgent(agentsDir(), 'solver', { model: 'openai:gpt-test' });
    const core = await start();
    const host = await core.connect('host');

    const { task_id } = await host.ok<Created>('delegate_task', { assignee_id: 'solver', description: 'Solve it.' });

    expect(await settled(core, task_id)).toMatchObject({ status: 'completed', result: { answer: 42, sure: true } });
    const { task } = await host.ok<{ task: Task }>('get_task', { task_id });
    expect(task.result).toEqual({ answer: 42, sure: true });
    // complete_task ends the run: no further model turn.
    expect(fake.requests).toHaveLength(1);
  });

  it("fails the task with the provider's message when the model keeps failing", async () => {
    const fake = await sandbox.fakeOpenAi({ defaultReply: { status: 500 } });
    await writeAgent(agentsDir(), 'flaky', { model: 'openai:gpt-test' });
    const core = await start();
    const host = await core.connect('host');

    const { task_id } = await host.ok<Created>('delegate_task', { assignee_id: 'flaky', description: 'Try.' });

    const task = await settled(core, task_id);
    expect(task).toMatchObject({
      status: 'failed',
      error: 'openai: HTTP 500: The server had an error while processing your request.',
    });
    expect(fake.requests).toHaveLength(3); // one call and the provider's two retries (test policy)
    const inbox = await host.ok<Inbox>('read_inbox', {});
    expect(inbox.items.map((i) => i.event)).toEqual(['task.notification.failed']);
  });

  it('queues a second task under --max-concurrency 1 and runs it once the first ends', async () => {
    const fake = await sandbox.fakeOpenAi([{ hang: true }, { text: 'second done' }]);
    await writeAgent(agentsDir(), 'worker', { model: 'openai:gpt-test' });
    const core = await start({ maxConcurrency: 1 });
    const host = await core.connect('host');

    const first = await host.ok<Created>('delegate_task', { assignee_id: 'worker', description: 'First.' });
    await fake.waitFor(() => fake.requests.length === 1);
    const second = await host.ok<Created>('delegate_task', { assignee_id: 'worker', description: 'Second.' });

    const queued = await eventually(
      async () => {
        const { task } = await host.ok<{ task: Task }>('get_task', { task_id: second.task_id });
        return task.status_message === 'queued' ? task : null;
      },
      2000,
      'the second task to be queued',
    );
    expect(queued.status).toBe('in_progress');
    const { task: running } = await host.ok<{ task: Task }>('get_task', { task_id: first.task_id });
    expect(running.status_message).toBe('running');
    expect(fake.requests).toHaveLength(1);

    await host.ok('cancel_task', { task_id: first.task_id });
    await fake.waitFor(() => fake.aborted === 1); // the first run's model call was cut
    expect(await settled(core, second.task_id)).toMatchObject({ status: 'completed', result: 'second done' });
    expect(fake.requests).toHaveLength(2);
    expect(String(fake.requests[1]!.body.messages[1]!.content)).toBe('Second.');
  });

  describe('when the process running it stops', () => {
    /** A task of `worker` as a Baton that died mid-attempt left it: claimed by a runner that renews no more. */
    const leftByDeadRunner = async (storePath: string, maxRetries: number) => {
      const store = await LowdbTaskStore.open({ path: storePath, pollMs: 0 });
      const expired = new Date(Date.now() - 1000).toISOString();
      await store.transact((tx) =>
        tx.putTask(
          task('left-behind', {
            delegated_by: 'host',
            assignee_id: 'worker',
            description: 'Long job.',
            attempts: 1,
            max_retries: maxRetries,
            status_message: 'running',
            claim: { runner: 'gone-host:4242:deadbeef', epoch: 1, expires_at: expired },
            lease_epoch: 1,
          }),
        ),
      );
      await store.close();
      await writeAgent(agentsDir(), 'worker', { model: 'openai:gpt-test' });
      return 'left-behind';
    };

    it('fails a task whose runner died when no retries are left, telling the delegator once', async () => {
      const fake = await sandbox.fakeOpenAi([{ text: 'should not run' }]);
      const storePath = path.join(sandbox.dir, 'store.json');
      const taskId = await leftByDeadRunner(storePath, 0);

      const core = await start({ storePath });

      expect(await settled(core, taskId)).toMatchObject({
        status: 'failed',
        error: 'interrupted: the Baton process running it stopped',
      });
      const host = await core.connect('host');
      const inbox = await host.ok<Inbox>('read_inbox', {});
      expect(inbox.items.map((i) => [i.event, i.content])).toEqual([
        ['task.notification.failed', 'interrupted: the Baton process running it stopped'],
      ]);
      expect(fake.requests).toHaveLength(0);
    });

    it('retries a task whose runner died while retries remain, and completes it', async () => {
      const fake = await sandbox.fakeOpenAi([{ text: 'done on the second try' }]);
      const storePath = path.join(sandbox.dir, 'store.json');
      const taskId = await leftByDeadRunner(storePath, 1);

      const core = await start({ storePath });

      expect(await settled(core, taskId)).toMatchObject({
        status: 'completed',
        result: 'done on the second try',
        attempts: 2,
        claim: null,
      });
      expect(fake.requests).toHaveLength(1);
      expect(String(fake.requests[0]!.body.messages[1]!.content)).toBe('Long job.');
    });

    it('hands a running task back when Baton stops, the attempt refunded, and the next start runs it afresh', async () => {
      const fake = await sandbox.fakeOpenAi([{ hang: true }, { text: 'done after the restart' }]);
      await writeAgent(agentsDir(), 'worker', { model: 'openai:gpt-test' });
      const storePath = path.join(sandbox.dir, 'store.json');
      const first = await start({ storePath });
      const host = await first.connect('host');
      const { task_id } = await host.ok<Created>('delegate_task', { assignee_id: 'worker', description: 'Long job.' });
      await fake.waitFor(() => fake.requests.length === 1);
      await first.close(); // closing twice (here and after the test) is harmless
      await fake.waitFor(() => fake.aborted === 1);

      const bare = await startCore({ storePath }); // no agents: it runs nothing
      try {
        expect(await bare.tasks.peek(task_id)).toMatchObject({ status: 'in_progress', claim: null, attempts: 0 });
      } finally {
        await bare.close();
      }
      const second = await start({ storePath });
      expect(await settled(second, task_id)).toMatchObject({
        status: 'completed',
        result: 'done after the restart',
        attempts: 1,
      });
    });
  });
});
