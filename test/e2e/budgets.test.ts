/**
 * A budget across Baton processes (issue 11): the spend is in the store, not in a process's memory. A stdio host's
 * Baton runs the lead; a `baton worker` (another process, on the same store file) runs the child it delegates.
 * Whichever process's spend reaches the lead's budget stops the whole subtree, in both processes.
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
import type { FakeOpenAi, OpenAiRequestBody } from '../providers/fakes/fake-openai-server.js';

type Spend = { total_tokens: number | null; calls: number };
type Summary = { id: string; assignee_id: string; status: string; usage_total: Spend };

const agentOf = (body: OpenAiRequestBody) => String(body.messages[0]?.content ?? '');
const toolResults = (body: OpenAiRequestBody) => body.messages.filter((m) => m.role === 'tool');

describe('budgets across Baton processes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let fake: FakeOpenAi;
  let host: StdioProcess | null = null;
  let worker: SpawnedCli | null = null;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('baton-budgets-'));
    fake = await startFakeOpenAi((body) => {
      if (agentOf(body) === 'You are lead.') {
        const results = toolResults(body);
        if (results.length === 0) {
          return {
            usage: { input: 40, output: 10 },
            toolCalls: [{ name: 'delegate_task', arguments: { assignee_id: 'digger', description: 'Dig.' } }],
          };
        }
        const id = /"task_id":\s*"([^"]+)"/.exec(String(results[0]?.content))?.[1];
        return {
          usage: { input: 40, output: 10 },
          toolCalls: [{ name: 'wait_for_tasks', arguments: { task_ids: [id], mode: 'all' } }],
        };
      }
      // The digger digs on and on, 300 tokens a turn.
      return {
        usage: { input: 250, output: 50 },
        toolCalls: [{ name: 'read_inbox', arguments: {} }],
      };
    });
    await writeAgent(path.join(dir, 'host-agents'), 'lead', { model: 'openai:gpt-test', tool_scope: 'shared' });
    await writeAgent(path.join(dir, 'worker-agents'), 'digger', { model: 'openai:gpt-test', max_steps: 50 });
  });
  afterEach(async () => {
    await host?.close().catch(() => undefined);
    if (worker && worker.process.exitCode === null && worker.process.signalCode === null)
      worker.process.kill('SIGKILL');
    await worker?.exited.catch(() => undefined);
    await fake.close();
    await cleanup();
  });

  it("stops the subtree when a child run by a baton worker spends the rest of the lead's budget", async () => {
    const env = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl, HOME: dir };
    const store = ['--store', path.join(dir, 'store.json'), '--no-bundled-agents'];
    // Only the worker has the digger: the lead's child can run nowhere else.
    worker = spawnCli(['worker', ...store, '--agents', path.join(dir, 'worker-agents')], { cwd: dir, env });
    const started = worker;
    await eventually(
      () => /worker \S+ on /.test(started.stderr()),
      10_000,
      `the worker to start:\n${started.stderr()}`,
    );
    host = await startStdio(['--as', 'host', ...store, '--agents', path.join(dir, 'host-agents')], env);

    const result = await host.call('subagent_dispatch', { agent_id: 'lead', task: 'Dig deep.', budget_tokens: 1000 });
    const lead = result.structuredContent as { task_id: string; status: string; error: string; usage_total: Spend };
    expect(lead.status).toBe('failed');
    const spent = Number(/^budget exhausted: spent (\d+) of 1000 tokens$/.exec(lead.error)?.[1]);
    // The lead spent 100 in this process, the digger 300 a call in the worker's: the spend of both is the store's.
    expect(spent).toBeGreaterThanOrEqual(1000);
    expect(spent).toBeLessThan(1300);
    expect(lead.usage_total.total_tokens).toBe(spent);

    const { children } = await host.ok<{ children: Summary[] }>('get_task', { task_id: lead.task_id });
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({ assignee_id: 'digger', status: 'failed' });
    expect((children[0]?.usage_total.total_tokens ?? 0) + 100).toBe(spent);
    expect(worker.stderr()).toContain(children[0]!.id);
    // No model call starts after the spend, in either process.
    const requests = fake.requests.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.requests.length).toBe(requests);
  }, 60_000);
});
