/**
 * Work ownership by claims within the runtime (issue 9, item 3): two Batons on one store in this process, short
 * leases. A live run keeps its claim by renewing it; a run on the host's model (sampling) stays with the process
 * holding that client, and is failed, not retried, once that process is gone; a process that cannot reach a
 * task's model leaves the task to one that can.
 */
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LowdbTaskStore } from '../../src/store/file/file-task-store.js';
import type { Task } from '../../src/model/task.js';
import { writeAgent } from '../helpers/agents.js';
import type { Core } from '../helpers/core.js';
import { eventually } from '../helpers/core.js';
import { task } from '../helpers/records.js';
import { useSandbox } from '../helpers/sandbox.js';

const ended = (core: Core, taskId: string, timeoutMs = 10_000) =>
  eventually(
    async () => {
      const t = await core.tasks.peek(taskId);
      return t && t.status !== 'in_progress' && t.status !== 'pending' ? t : null;
    },
    timeoutMs,
    `task ${taskId} to end`,
  );

describe('claims in the runtime', () => {
  const sandbox = useSandbox();
  const storePath = () => path.join(sandbox.dir, 'store.json');

  it('keeps a run longer than its lease: the claim is renewed, and another process never takes it', async () => {
    const fake = await sandbox.fakeOpenAi([{ text: 'slow but mine', delayMs: 3000 }]);
    await writeAgent(sandbox.agentsDir, 'slow', { model: 'openai:gpt-test', max_retries: 3 });
    const here = await sandbox.start({ storePath: storePath(), leaseSeconds: 1 });
    await sandbox.start({ storePath: storePath(), leaseSeconds: 1 }); // a second process, as hungry as the first
    const host = await here.connect('host');
    const { task_id } = await host.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'slow',
      description: 'wait',
    });

    expect(await ended(here, task_id)).toMatchObject({ status: 'completed', result: 'slow but mine', attempts: 1 });
    expect(fake.requests).toHaveLength(1);
  });

  it('records the sampling affinity of a run, and fails it as interrupted once its runner is gone', async () => {
    await writeAgent(sandbox.agentsDir, 'poet', { model: 'sampling' });
    const core = await sandbox.start({ storePath: storePath() });
    const answer: CreateMessageResult = { role: 'assistant', content: { type: 'text', text: 'A pond' }, model: 'm' };
    const host = await core.connect('host', { sampling: () => answer });
    const { task_id } = await host.ok<{ task_id: string }>('subagent_dispatch', { agent_id: 'poet', task: 'haiku' });
    expect(await core.tasks.peek(task_id)).toMatchObject({
      model: 'sampling',
      affinity: core.baton.runtime.worker.runner,
    });
    await core.close();

    // A sampling task whose process died mid-attempt, with a retry left: nobody else has that client.
    const store = await LowdbTaskStore.open({ path: storePath(), pollMs: 0 });
    const expired = new Date(Date.now() - 1000).toISOString();
    await store.transact((tx) =>
      tx.putTask(
        task('orphan', {
          delegated_by: 'host',
          assignee_id: 'poet',
          attempts: 1,
          max_retries: 2,
          model: 'sampling',
          affinity: 'gone-host:1:cafe',
          claim: { runner: 'gone-host:1:cafe', epoch: 1, expires_at: expired },
          lease_epoch: 1,
        }),
      ),
    );
    await store.close();
    const next = await sandbox.start({ storePath: storePath() });
    expect(await ended(next, 'orphan')).toMatchObject({
      status: 'failed',
      error: "interrupted: it ran on the host's model through sampling, and that client is gone",
    });
  });

  it('leaves a task that needs the host model to a process holding a client of its delegator', async () => {
    await writeAgent(sandbox.agentsDir, 'poet', { model: 'sampling' });
    const store = await LowdbTaskStore.open({ path: storePath(), pollMs: 0 });
    await store.transact((tx) => tx.putTask(task('waiting', { delegated_by: 'host', assignee_id: 'poet' })));
    await store.close();
    // No client at all (a `baton worker`): it does not take the task.
    const worker = await sandbox.start({ storePath: storePath(), leaseSeconds: 0.2 });
    await new Promise((r) => setTimeout(r, 600)); // several sweeps
    expect(await worker.tasks.peek('waiting')).toMatchObject({ status: 'in_progress', claim: null, attempts: 0 });

    // A process with a client of the host that samples takes it on its next sweep and runs it there.
    const server = await sandbox.start({ storePath: storePath(), leaseSeconds: 0.2 });
    const answer: CreateMessageResult = { role: 'assistant', content: { type: 'text', text: 'Ripples' }, model: 'm' };
    await server.connect('host', { sampling: () => answer });
    const done = (await ended(server, 'waiting')) as Task;
    expect(done).toMatchObject({
      status: 'completed',
      result: 'Ripples',
      affinity: server.baton.runtime.worker.runner,
    });
  });
});
