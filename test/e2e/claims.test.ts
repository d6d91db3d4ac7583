/**
 * Work owned by claims, across processes (issue 9): the built CLI as hosts start it, on one store file, with a
 * loopback fake model. A process that dies leaves its task to whoever takes the lapsed lease; a host that exits
 * hands its background task to a `baton worker`; a worker stopped by SIGTERM hands its claims back at once.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import { spawnCli } from '../helpers/cli.js';
import type { SpawnedCli } from '../helpers/cli.js';
import { eventually, tempDir } from '../helpers/core.js';
import { startStdio } from '../helpers/stdio.js';
import type { StdioProcess } from '../helpers/stdio.js';
import { startFakeOpenAi } from '../providers/fakes/fake-openai-server.js';
import type { FakeOpenAi, FakeScript, OpenAiRequestBody } from '../providers/fakes/fake-openai-server.js';

type Inbox = { items: Array<{ event: string; task_id: string | null }> };
type Task = { status: string; result?: unknown; attempts: number; claim: unknown; error: string | null };

describe('claims across Baton processes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let fake: FakeOpenAi | null = null;
  const stdio: StdioProcess[] = [];
  const spawned: SpawnedCli[] = [];
  const store = () => path.join(dir, 'store.json');
  const agents = () => path.join(dir, 'agents');
  const env = () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake!.baseUrl, HOME: dir });
  const common = (lease: number) => [
    '--store',
    store(),
    '--agents',
    agents(),
    '--no-bundled-agents',
    '--lease-seconds',
    String(lease),
  ];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('baton-claims-'));
    await writeAgent(agents(), 'researcher', { model: 'openai:gpt-test', max_retries: 1 });
  });
  afterEach(async () => {
    for (const p of stdio.splice(0)) await p.close().catch(() => undefined);
    for (const p of spawned.splice(0)) {
      if (p.process.exitCode === null && p.process.signalCode === null) p.process.kill('SIGKILL');
      await p.exited.catch(() => undefined);
    }
    await fake?.close();
    fake = null;
    await cleanup();
  });

  const serve = async (as: string, args: string[], extraEnv: Record<string, string> = {}) => {
    const p = await startStdio(['--as', as, ...args], { ...env(), ...extraEnv });
    stdio.push(p);
    return p;
  };
  const worker = async (args: string[]) => {
    const p = spawnCli(['worker', ...args], { cwd: dir, env: env() });
    spawned.push(p);
    await eventually(() => /worker \S+ on /.test(p.stderr()), 10_000, `the worker to start:\n${p.stderr()}`);
    return p;
  };
  const fakeModel = async (script: FakeScript<OpenAiRequestBody>) => (fake = await startFakeOpenAi(script));

  it('takes over the task of a serve killed with -9 once its lease lapses, completes it, and tells the delegator once', async () => {
    const model = await fakeModel([{ hang: true }, { text: 'found it after the takeover' }]);
    const lease = 1;
    const first = await serve('alice', common(lease));
    const second = await serve('alice', common(lease));
    const { task_id } = await first.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'researcher',
      description: 'Find the tide tables.',
    });
    await model.waitFor(() => model.requests.length === 1);
    // The first process holds the claim and is running the task when it dies.
    const { task: running } = await second.ok<{ task: Task }>('get_task', { task_id });
    expect(running).toMatchObject({ status: 'in_progress', attempts: 1, claim: { epoch: 1 } });
    const killedAt = Date.now();
    process.kill(first.pid, 'SIGKILL');

    await model.waitFor(() => model.requests.length === 2, 15_000);
    const tookOver = Date.now() - killedAt;
    const done = await eventually(
      async () => {
        const { task } = await second.ok<{ task: Task }>('get_task', { task_id });
        return task.status === 'completed' ? task : null;
      },
      10_000,
      'the task to complete',
    );
    expect(done).toMatchObject({ result: 'found it after the takeover', attempts: 2, claim: null });
    // Within the lease and one sweep (half a lease) of the kill, with room for a loaded machine.
    expect(tookOver).toBeLessThan(lease * 1000 * 1.5 + 5000);
    const inbox = await second.ok<Inbox>('read_inbox');
    expect(inbox.items.filter((i) => i.task_id === task_id).map((i) => i.event)).toEqual([
      'task.notification.completed',
    ]);
  }, 60_000);

  it('lets a baton worker finish what a one-shot stdio host delegated; the next session reads the result', async () => {
    await fakeModel(() => ({ text: 'Three sources found.', delayMs: 300 }));
    const background = await worker(common(30));
    const host = await serve('host', common(30));
    const { task_id } = await host.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'researcher',
      description: 'Find sources on tides.',
    });
    await host.close(); // the host's session ends: its Baton hands the task back as it exits
    stdio.splice(stdio.indexOf(host), 1);

    await eventually(
      () => background.stderr().includes(task_id),
      15_000,
      `the worker to claim the task:\n${background.stderr()}`,
    );
    const next = await serve('host', common(30));
    const inbox = await eventually(
      async () => {
        const page = await next.ok<Inbox>('read_inbox');
        return page.items.some((i) => i.event === 'task.notification.completed' && i.task_id === task_id) ? page : null;
      },
      15_000,
      'the completion in the inbox',
    );
    expect(inbox.items.filter((i) => i.task_id === task_id).map((i) => i.event)).toEqual([
      'task.notification.completed',
    ]);
    const { task } = await next.ok<{ task: Task }>('get_task', { task_id });
    expect(task).toMatchObject({ status: 'completed', result: 'Three sources found.' });
  }, 60_000);

  it('hands its claims back on SIGTERM, so that another worker runs the task at once, the attempt refunded', async () => {
    const model = await fakeModel([{ hang: true }, { text: 'done by the second worker' }]);
    // Leases long enough that only handing back explains a quick pickup.
    const first = await worker(common(30));
    const host = await serve('host', ['--store', store(), '--agents', path.join(dir, 'none'), '--no-bundled-agents']);
    const { task_id } = await host.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'researcher',
      description: 'Index the archive.',
    });
    await model.waitFor(() => model.requests.length === 1, 15_000);
    const second = await worker(common(30));

    const stoppedAt = Date.now();
    first.process.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(first.stderr()).toMatch(/handed a task back/);
    const done = await eventually(
      async () => {
        const { task } = await host.ok<{ task: Task }>('get_task', { task_id });
        return task.status === 'completed' ? task : null;
      },
      20_000,
      'the second worker to complete it',
    );
    expect(Date.now() - stoppedAt).toBeLessThan(20_000); // well inside the 30 s lease
    expect(done).toMatchObject({ result: 'done by the second worker', attempts: 1 });
    expect(second.stderr()).toContain(task_id);
    expect(model.aborted).toBe(1); // the first worker's model call was cut
  }, 60_000);
});
