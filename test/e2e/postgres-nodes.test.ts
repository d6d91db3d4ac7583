/**
 * Several Baton nodes on one PostgreSQL database (issue 10, "Show"): three `baton serve --http` processes and a
 * `baton worker`, as a deployment runs them, the built CLI with a loopback fake model. A delegation crosses
 * nodes; a subagent task is run by whichever process claims it, and by another once that one is killed with -9;
 * a deadline ends its task exactly once with every node alive; a write storm, then kill -9 of every node, and no
 * acknowledged change is lost.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Task } from '../../src/model/task.js';
import { PostgresTaskStore } from '../../src/store/postgres/postgres-task-store.js';
import { writeAgent } from '../helpers/agents.js';
import { runCli, spawnCli, startHttpServer } from '../helpers/cli.js';
import type { SpawnedCli } from '../helpers/cli.js';
import type { TestClient } from '../helpers/core.js';
import { eventually, tempDir, wrapClient } from '../helpers/core.js';
import { createDatabase, describePostgres } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { startFakeOpenAi } from '../providers/fakes/fake-openai-server.js';
import type { FakeOpenAi, FakeScript, OpenAiRequestBody } from '../providers/fakes/fake-openai-server.js';

const AGENTS = ['alice', 'bob', 'carol'] as const;
type Agent = (typeof AGENTS)[number];
interface Item {
  event: string;
  task_id: string | null;
}

describePostgres('Baton nodes on one PostgreSQL database', () => {
  let db: TestDatabase;
  let dir: string;
  let cleanup: () => Promise<void>;
  let fake: FakeOpenAi | null = null;
  let store: PostgresTaskStore | null = null;
  const tokens = Object.fromEntries(AGENTS.map((a) => [a, `tok-${randomBytes(12).toString('hex')}`])) as Record<
    Agent,
    string
  >;
  const processes: SpawnedCli[] = [];
  const clients: Client[] = [];

  const env = () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake?.baseUrl ?? 'http://127.0.0.1:9', HOME: dir });
  const common = () => [
    '--store',
    db.url,
    '--agents',
    path.join(dir, 'agents'),
    '--no-bundled-agents',
    '--lease-seconds',
    '1',
  ];

  beforeEach(async () => {
    db = await createDatabase();
    ({ dir, cleanup } = await tempDir('baton-pg-nodes-'));
    await writeAgent(path.join(dir, 'agents'), 'researcher', { model: 'openai:gpt-test', max_retries: 1 });
    await writeFile(
      path.join(dir, 'tokens.json'),
      JSON.stringify(Object.fromEntries(AGENTS.map((a) => [tokens[a], a]))),
    );
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    for (const p of processes.splice(0)) {
      if (p.process.exitCode === null && p.process.signalCode === null) p.process.kill('SIGKILL');
      await p.exited.catch(() => undefined);
    }
    await store?.close();
    store = null;
    await fake?.close();
    fake = null;
    await cleanup();
    await db.drop();
  });

  /** Starts one HTTP node; the first one migrates the database, so nodes start one after another. */
  const node = async () => {
    const p = await startHttpServer(['--http', '127.0.0.1:0', '--tokens', path.join(dir, 'tokens.json'), ...common()], {
      cwd: dir,
      env: env(),
      timeoutMs: 20_000,
    });
    processes.push(p);
    return p;
  };
  const nodes = async (n: number) => {
    const started: Array<SpawnedCli & { url: string }> = [];
    for (let i = 0; i < n; i++) started.push(await node());
    return started;
  };
  const worker = async () => {
    const p = spawnCli(['worker', ...common()], { cwd: dir, env: env() });
    processes.push(p);
    await eventually(() => /worker \S+ on /.test(p.stderr()), 20_000, `the worker to start:\n${p.stderr()}`);
    return p;
  };
  const connect = async (server: { url: string }, agent: Agent): Promise<TestClient> => {
    const client = new Client({ name: `e2e-${agent}`, version: '1.0.0' });
    const wrapped = wrapClient(client);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${tokens[agent]}` } },
      }),
    );
    clients.push(client);
    return wrapped;
  };
  const direct = async () => (store ??= await PostgresTaskStore.open({ url: db.url, readOnly: true }));
  const fakeModel = async (script: FakeScript<OpenAiRequestBody>) => (fake = await startFakeOpenAi(script));

  it('stops baton serve with one line, exit 1, on an unreachable or newer database, changing nothing', async () => {
    const unreachable = await runCli(['serve', '--store', 'postgres://baton@127.0.0.1:1/nowhere'], { cwd: dir });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr.trim().split('\n')).toEqual([
      'baton: cannot use the PostgreSQL store at 127.0.0.1:1/nowhere: connection refused ' +
        '(is PostgreSQL running and listening there?) (ECONNREFUSED)',
    ]);
    await (await PostgresTaskStore.open({ url: db.url })).close();
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query("INSERT INTO schema_version (version, name, baton_version) VALUES (99, 'later', 'x')");
      const newer = await runCli(['serve', '--store', db.url], { cwd: dir });
      expect(newer.code).toBe(1);
      expect(newer.stderr.trim().split('\n')).toHaveLength(1);
      expect(newer.stderr).toMatch(/schema version 99, newer than this Baton/);
      const versions = await client.query('SELECT version FROM schema_version ORDER BY 1');
      expect(versions.rows.map((r: { version: number }) => r.version)).toEqual([1, 99]);
    } finally {
      await client.end();
    }
  });

  it('lets alice on node 1 delegate to bob on node 2, who completes, and tells alice live', async () => {
    const [one, two] = await nodes(3);
    const alice = await connect(one!, 'alice');
    const bob = await connect(two!, 'bob');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'Check the tide tables',
    });
    await eventually(
      () =>
        bob.messages.some((m) => (m as Item).event === 'task.notification.assigned' && (m as Item).task_id === task_id),
      10_000,
      'bob on node 2 to be told of the assignment',
    );
    await bob.ok('complete_task', { task_id, result: 'high tide at 6' });
    await eventually(
      () =>
        alice.messages.some(
          (m) => (m as Item).event === 'task.notification.completed' && (m as Item).task_id === task_id,
        ),
      10_000,
      'alice on node 1 to be told of the completion',
    );
    const { task } = await alice.ok<{ task: Task }>('get_task', { task_id });
    expect(task).toMatchObject({ status: 'completed', result: 'high tide at 6' });
  }, 90_000);

  it('runs a subagent task on whichever process claims it, and on another after kill -9 of that one', async () => {
    const model = await fakeModel([{ hang: true }, { text: 'tides found after the takeover' }]);
    const servers = await nodes(3);
    const background = await worker();
    const alice = await connect(servers[0]!, 'alice');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'researcher',
      description: 'Find the tide tables.',
    });
    await model.waitFor(() => model.requests.length === 1, 20_000);
    const running = await (await direct()).getTask(task_id);
    const runnerPid = Number(running?.claim?.runner.split(':')[1]);
    const all = [...servers, background];
    const victim = all.find((p) => p.process.pid === runnerPid);
    expect(victim, `the runner ${running?.claim?.runner} is one of the four processes`).toBeDefined();
    victim!.process.kill('SIGKILL');
    await victim!.exited;

    const done = await eventually(
      async () => {
        const t = await (await direct()).getTask(task_id);
        return t?.status === 'completed' ? t : null;
      },
      30_000,
      'another process to take the task over and complete it',
    );
    expect(done).toMatchObject({ result: 'tides found after the takeover', attempts: 2, claim: null });
    expect(done.lease_epoch).toBe(2);
    const inbox = await (await direct()).inbox('alice', 0, 100);
    expect(inbox.filter((i) => i.task_id === task_id).map((i) => i.event)).toEqual(['task.notification.completed']);
  }, 90_000);

  it('ends a deadline exactly once with every node alive: one timeout notification per party', async () => {
    const servers = await nodes(3);
    await worker();
    const alice = await connect(servers[0]!, 'alice');
    const bob = await connect(servers[1]!, 'bob');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'Answer within a second',
      timeout_seconds: 1,
    });
    await eventually(
      async () => (await (await direct()).getTask(task_id))?.status === 'timed_out',
      20_000,
      'the task to time out',
    );
    // Every node armed a timer for it; give the late ones time to try (and find it ended).
    await new Promise((r) => setTimeout(r, 1500));
    const s = await direct();
    for (const party of ['alice', 'bob']) {
      const items = (await s.inbox(party, 0, 100)).filter((i) => i.task_id === task_id);
      expect(
        items.filter((i) => i.event === 'task.notification.timeout'),
        party,
      ).toHaveLength(1);
    }
    await eventually(
      () => bob.messages.some((m) => (m as Item).event === 'task.notification.timeout'),
      10_000,
      'bob on node 2 to be told live',
    );
    expect(bob.messages.filter((m) => (m as Item).event === 'task.notification.timeout')).toHaveLength(1);
  }, 90_000);

  it('loses no acknowledged change when every node is killed with -9 during a write storm', async () => {
    const servers = await nodes(3);
    const senders = await Promise.all(
      servers.flatMap((server) => [connect(server, 'alice'), connect(server, 'carol')]),
    );
    const acknowledged: string[] = [];
    let storming = true;
    const storm = senders.map(async (client, i) => {
      for (let n = 0; storming; n++) {
        try {
          const { task_id } = await client.ok<{ task_id: string }>('delegate_task', {
            assignee_id: 'bob',
            description: `storm ${i}/${n}`,
          });
          acknowledged.push(task_id);
        } catch {
          return; // its node is gone: nothing more is acknowledged through it
        }
      }
    });
    await eventually(() => acknowledged.length >= 60, 30_000, 'the storm to get going');
    for (const p of processes) p.process.kill('SIGKILL');
    storming = false;
    await Promise.all(processes.map((p) => p.exited));
    // Nothing can be acknowledged by a dead node; the calls in flight (their answers never come) are left to fail.
    const count = acknowledged.length;
    void Promise.allSettled(storm);

    // A node started again finds every acknowledged task, and bob's inbox has each assignment once.
    const again = await node();
    const bob = await connect(again, 'bob');
    const s = await direct();
    const found = await s.getTasks(acknowledged);
    expect(found.map((t) => t.id).sort()).toEqual([...acknowledged].sort());
    const assigned = new Set(
      (await s.inbox('bob', 0, 100_000)).filter((i) => i.event === 'task.notification.assigned').map((i) => i.task_id),
    );
    for (const id of acknowledged) expect(assigned.has(id)).toBe(true);
    const { tasks } = await bob.ok<{ tasks: unknown[] }>('list_tasks', { role: 'assigned_to_me', limit: 500 });
    expect(tasks.length).toBeGreaterThanOrEqual(Math.min(count, 500));
  }, 120_000);
});
