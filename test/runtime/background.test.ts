import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/store/records.js';
import { writeAgent } from '../helpers/agents.js';
import type { Core } from '../helpers/core.js';
import { eventually, startCore } from '../helpers/core.js';
import type { CoreOptions } from '../helpers/core.js';
import { useSandbox } from '../helpers/sandbox.js';

type Created = { task_id: string; status: string; assignee_id: string; delegated_by: string };
type Inbox = { items: Array<{ event: string; task_id: string; content: string | null }> };

/** A `host:pid` runner naming a process that has certainly exited: a child that ran and ended. */
function deadRunner(): string {
  const child = spawnSync(process.execPath, ['-e', '']);
  return `${os.hostname()}:${child.pid}`;
}

describe('background subagent tasks (delegate_task to a defined agent)', () => {
  const sandbox = useSandbox();
  const agentsDir = () => sandbox.agentsDir;
  const start = (options: CoreOptions = {}) => sandbox.start(options);
  /** Waits until the task is in a terminal status and returns it. */
  const settled = (core: Core, taskId: string, timeoutMs = 5000) =>
    eventually(
      () => {
        const task = core.tasks.peek(taskId);
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
    expect(core.tasks.peek(created.task_id)).toMatchObject({ timeout_seconds: 1, max_retries: 2 });
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
    expect(core.tasks.peek(explicit.task_id)).toMatchObject({ timeout_seconds: 30, max_retries: 0 });
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

  describe('after a restart', () => {
    /**
     * Delegates to an agent whose model hangs and closes Baton while it runs; then makes the task's runner name a
     * process that no longer exists, as if that Baton had crashed.
     */
    const interrupted = async (storePath: string, maxRetries: number) => {
      await writeAgent(agentsDir(), 'worker', { model: 'openai:gpt-test' });
      const core = await start({ storePath });
      const host = await core.connect('host');
      const { task_id } = await host.ok<Created>('delegate_task', {
        assignee_id: 'worker',
        description: 'Long job.',
        max_retries: maxRetries,
      });
      const fake = sandbox.fake;
      await fake.waitFor(() => fake.requests.length === 1);
      await core.close(); // closing twice (here and after the test) is harmless
      await fake.waitFor(() => fake.aborted === 1);

      // Closing stopped the run but left the task to the next start, marked with the process that ran it.
      // Baton without agents does not touch it; through it, make that runner a process that is gone.
      const bare = await startCore({ storePath });
      try {
        expect(bare.tasks.peek(task_id)).toMatchObject({
          status: 'in_progress',
          runner: `${os.hostname()}:${process.pid}`,
          attempts: 1,
        });
        await bare.tasks.amend(task_id, { runner: deadRunner() });
      } finally {
        await bare.close();
      }
      return task_id;
    };

    it('fails a task interrupted by a restart when no retries are left', async () => {
      const fake = await sandbox.fakeOpenAi([{ hang: true }, { text: 'should not run' }]);
      const storePath = path.join(sandbox.dir, 'store.json');
      const taskId = await interrupted(storePath, 0);

      const core = await start({ storePath });

      expect(await settled(core, taskId)).toMatchObject({ status: 'failed', error: 'interrupted by restart' });
      const host = await core.connect('host');
      const inbox = await host.ok<Inbox>('read_inbox', {});
      expect(inbox.items.map((i) => [i.event, i.content])).toEqual([
        ['task.notification.failed', 'interrupted by restart'],
      ]);
      expect(fake.requests).toHaveLength(1);
    });

    it('retries a task interrupted by a restart while retries remain, and completes it', async () => {
      const fake = await sandbox.fakeOpenAi([{ hang: true }, { text: 'done on the second try' }]);
      const storePath = path.join(sandbox.dir, 'store.json');
      const taskId = await interrupted(storePath, 1);

      const core = await start({ storePath });

      expect(await settled(core, taskId)).toMatchObject({
        status: 'completed',
        result: 'done on the second try',
        attempts: 2,
      });
      expect(fake.requests).toHaveLength(2);
      expect(String(fake.requests[1]!.body.messages[1]!.content)).toBe('Long job.');
    });
  });
});
