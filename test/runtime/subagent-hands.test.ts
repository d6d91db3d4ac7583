/**
 * Subagents with hands (issue 8), end to end through MCP: a real MCP client dispatches, the loopback fake OpenAI
 * server asks for tool calls, and the tools are Baton's workspace tools and real MCP servers from npm.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import type { Core, CoreOptions } from '../helpers/core.js';
import { eventually, tempDir } from '../helpers/core.js';
import { realServers, startHttpTestServer } from '../helpers/mcp-servers.js';
import { childrenOf, isRunning, waitUntilGone } from '../helpers/processes.js';
import { useSandbox } from '../helpers/sandbox.js';
import type { FakeReply, OpenAiRequestBody } from '../providers/fakes/fake-openai-server.js';

type Dispatched = { result: string; status: string; task_id: string };
type Message = OpenAiRequestBody['messages'][number];

const README = '# Baton\nCookies hand work to each other.\n';

/** A fake model that makes `calls` one after the other, then answers with every tool result it got. */
function scripted(calls: Array<{ name: string; arguments: Record<string, unknown> }>) {
  return (body: OpenAiRequestBody): FakeReply => {
    const results = body.messages.filter((m): m is Extract<Message, { role: 'tool' }> => m.role === 'tool');
    const next = calls[results.length];
    if (next) return { toolCalls: [next] };
    return { text: `Done. ${results.map((r) => String(r.content)).join('\n---\n')}` };
  };
}

/** The tool names the model was offered in its first request. */
const offered = (body: OpenAiRequestBody) => (body.tools ?? []).map((t) => ('function' in t ? t.function.name : ''));

describe('subagents with hands', () => {
  const sandbox = useSandbox();
  const start = async (options: CoreOptions = {}): Promise<Core> => {
    await writeFile(path.join(sandbox.dir, 'README.md'), README);
    return sandbox.start({ cwd: sandbox.dir, ...options });
  };

  it("runs the seed's demo: cookie, with tools: Read, reads our README", async () => {
    const fake = await sandbox.fakeOpenAi(scripted([{ name: 'Read', arguments: { file_path: 'README.md' } }]));
    await writeAgent(sandbox.agentsDir, 'cookie', {
      model: 'openai:gpt-test',
      tools: 'Read',
      description: 'Cookie reads files for you.',
    });
    const host = await (await start()).connect('host');

    const out = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'cookie', task: 'read our README' });

    expect(out.status).toBe('completed');
    expect(out.result).toContain('Cookies hand work to each other.');
    expect(offered(fake.requests[0]!.body)).toEqual(['Read']);
    const toolMessage = fake.requests[1]!.body.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.content).toBe('     1\t# Baton\n     2\tCookies hand work to each other.');
  });

  it('reads the same file through the official filesystem MCP server, and a second agent uses another server', async () => {
    await sandbox.fakeOpenAi((body) => {
      const system = String(body.messages[0]?.content);
      return system.includes('reader')
        ? scripted([
            { name: 'mcp__filesystem__read_text_file', arguments: { path: path.join(sandbox.dir, 'README.md') } },
          ])(body)
        : scripted([{ name: 'mcp__everything__get-sum', arguments: { a: 20, b: 22 } }])(body);
    });
    await writeAgent(sandbox.agentsDir, 'reader', {
      model: 'openai:gpt-test',
      tools: 'mcp__filesystem__read_text_file',
      body: 'You are the reader.',
    });
    await writeAgent(sandbox.agentsDir, 'adder', {
      model: 'openai:gpt-test',
      mcpServers: 'everything',
      tools: 'mcp__everything__get-sum',
      body: 'You are the adder.',
    });
    const core = await start({
      mcpServers: { filesystem: realServers.filesystem(sandbox.dir), everything: realServers.everything() },
    });
    const host = await core.connect('host');

    const read = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'reader', task: 'read our README' });
    expect(read.result).toContain('Cookies hand work to each other.');
    const sum = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'adder', task: 'add 20 and 22' });
    expect(sum.result).toMatch(/\b42\b/);
    const offeredTo = (agent: string) =>
      offered(sandbox.fake.requests.find((r) => String(r.body.messages[0]?.content).includes(agent))!.body);
    expect(offeredTo('reader')).toEqual(['mcp__filesystem__read_text_file']);
    expect(offeredTo('adder')).toEqual(['mcp__everything__get-sum']);

    // Both servers run as children of Baton, and are gone once Baton closes.
    const pool = core.baton.mcp;
    const pids = ['filesystem', 'everything'].map((name) => pool.connection(pool.configuredRef(name)!).pid!);
    const all = [...pids, ...pids.flatMap(childrenOf)];
    expect(pids.every(isRunning)).toBe(true);
    await core.close();
    await waitUntilGone(all);
  });

  it('survives a crash of a server: the model sees a clear error, then the server is back', async () => {
    const call = { name: 'mcp__filesystem__read_text_file', arguments: { path: path.join(sandbox.dir, 'README.md') } };
    await sandbox.fakeOpenAi(scripted([call]));
    await writeAgent(sandbox.agentsDir, 'reader', { model: 'openai:gpt-test', tools: 'mcp__filesystem__*' });
    const core = await start({ mcpServers: { filesystem: realServers.filesystem(sandbox.dir) } });
    const host = await core.connect('host');
    await host.ok('subagent_dispatch', { agent_id: 'reader', task: 'read' });
    const connection = core.baton.mcp.connection(core.baton.mcp.configuredRef('filesystem')!);
    const first = connection.pid!;
    process.kill(first, 'SIGKILL');
    await eventually(() => connection.pid === undefined, 5000, 'the crash to be seen');

    const during = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'reader', task: 'read again' });
    expect(during.status).toBe('completed'); // the run goes on
    expect(during.result).toMatch(
      /MCP server 'filesystem' is down \(the process was killed by SIGKILL\); Baton restarts it in/,
    );

    const after = await eventually(async () => {
      const out = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'reader', task: 'and again' });
      return out.result.includes('Cookies hand work') ? out : null;
    }, 10_000);
    expect(after.status).toBe('completed');
    expect(connection.pid).not.toBe(first);
  });

  it('aborts an MCP call in flight when the dispatch is cancelled: the server sees the cancellation', async () => {
    const http = await startHttpTestServer();
    try {
      await sandbox.fakeOpenAi(scripted([{ name: 'mcp__remote__slow', arguments: {} }]));
      await writeAgent(sandbox.agentsDir, 'waiter', { model: 'openai:gpt-test', tools: 'mcp__remote__slow' });
      const core = await start({ mcpServers: { remote: { url: http.url } } });
      const host = await core.connect('host');
      const controller = new AbortController();
      const slow = http.slowStarted();
      const call = host.client.callTool(
        { name: 'subagent_dispatch', arguments: { agent_id: 'waiter', task: 'wait' } },
        undefined,
        { signal: controller.signal },
      );
      await slow;
      controller.abort();
      await expect(call).rejects.toThrow(/abort/i);
      await eventually(() => http.cancelled === 1, 5000, 'the MCP server to see notifications/cancelled');
      const { tasks } = await host.ok<{ tasks: Array<{ status: string }> }>('list_tasks', {});
      expect(tasks).toMatchObject([{ status: 'cancelled' }]);
    } finally {
      await http.close();
    }
  });

  it('offers Write, Edit and Bash only with --allow, and list_agents says why they are missing', async () => {
    const fake = await sandbox.fakeOpenAi(
      scripted([
        { name: 'Write', arguments: { file_path: 'notes/plan.md', content: 'step one\n' } },
        { name: 'Edit', arguments: { file_path: 'notes/plan.md', old_string: 'one', new_string: 'two' } },
        { name: 'Bash', arguments: { command: 'cat notes/plan.md' } },
      ]),
    );
    await writeAgent(sandbox.agentsDir, 'builder', { model: 'openai:gpt-test', tools: 'Read, Write, Edit, Bash' });

    const denied = await start();
    const host = await denied.connect('host');
    const { agents } = await host.ok<{ agents: Array<{ id: string; tools: string[]; tool_problems: string[] }> }>(
      'list_agents',
    );
    expect(agents[0]).toMatchObject({
      id: 'builder',
      tools: ['Read'],
      tool_problems: [
        "tools: Write changes files: offered only with the operator's --allow write (an agent file alone cannot grant it)",
        "tools: Edit changes files: offered only with the operator's --allow write (an agent file alone cannot grant it)",
        "tools: Bash runs commands: offered only with the operator's --allow bash (an agent file alone cannot grant it)",
      ],
    });
    await host.ok('subagent_dispatch', { agent_id: 'builder', task: 'write a plan' });
    expect(offered(fake.requests[0]!.body)).toEqual(['Read']);
    await denied.close();

    const allowed = await start({ permissions: ['write', 'bash'] });
    const out = await (
      await allowed.connect('host')
    ).ok<Dispatched>('subagent_dispatch', {
      agent_id: 'builder',
      task: 'write a plan',
    });
    expect(offered(fake.requests.at(-4)!.body)).toEqual(['Read', 'Write', 'Edit', 'Bash']);
    expect(out.result).toContain('step two');
    expect(await readFile(path.join(sandbox.dir, 'notes', 'plan.md'), 'utf8')).toBe('step two\n');
  });

  it('kills a Bash command and the children it started when the dispatch is cancelled', async () => {
    const command = 'echo $$ > pids; sleep 30 & echo $! >> pids; sleep 30 & echo $! >> pids; wait';
    await sandbox.fakeOpenAi(scripted([{ name: 'Bash', arguments: { command } }]));
    await writeAgent(sandbox.agentsDir, 'runner', { model: 'openai:gpt-test', tools: 'Bash' });
    const core = await start({ permissions: ['bash'] });
    const host = await core.connect('host');
    const controller = new AbortController();
    const call = host.client.callTool(
      { name: 'subagent_dispatch', arguments: { agent_id: 'runner', task: 'run it' } },
      undefined,
      { signal: controller.signal },
    );
    const pids = await eventually(async () => {
      const text = await readFile(path.join(sandbox.dir, 'pids'), 'utf8').catch(() => '');
      const list = text.split('\n').filter(Boolean).map(Number);
      return list.length === 3 ? list : null;
    });
    controller.abort();
    await expect(call).rejects.toThrow(/abort/i);
    await waitUntilGone(pids);
    const { tasks } = await host.ok<{ tasks: Array<{ status: string }> }>('list_tasks', {});
    expect(tasks).toMatchObject([{ status: 'cancelled' }]);
  });

  it('runs a model: sonnet agent on OpenAI when the models map says so', async () => {
    const fake = await sandbox.fakeOpenAi([{ text: 'from qwen' }, { text: 'from llama' }]);
    await writeAgent(sandbox.agentsDir, 'poet', { model: 'sonnet' });
    await writeAgent(sandbox.agentsDir, 'critic', { model: 'opus' });
    const core = await start({ modelMap: { sonnet: 'openai:qwen3', 'anthropic:*': 'openai:llama3.1:8b' } });
    const host = await core.connect('host');
    expect((await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'poet', task: 'x' })).result).toBe('from qwen');
    expect((await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'critic', task: 'y' })).result).toBe(
      'from llama',
    );
    expect(fake.requests.map((r) => r.body.model)).toEqual(['qwen3', 'llama3.1:8b']);
    const { agents } = await host.ok<{
      agents: Array<{ id: string; model: string; model_spec?: string; usable: boolean }>;
    }>('list_agents');
    expect(agents).toMatchObject([
      { id: 'critic', model: 'openai:llama3.1:8b', model_spec: 'opus', usable: true },
      { id: 'poet', model: 'openai:qwen3', model_spec: 'sonnet', usable: true },
    ]);
  });

  it("acts in the roots the client declares, and keeps a client's roots inside an explicit --workspace", async () => {
    const other = await tempDir('baton-roots-');
    try {
      await writeFile(path.join(other.dir, 'README.md'), '# The host project\n');
      await sandbox.fakeOpenAi(scripted([{ name: 'Read', arguments: { file_path: 'README.md' } }]));
      await writeAgent(sandbox.agentsDir, 'cookie', { model: 'openai:gpt-test', tools: 'Read' });
      const core = await start();
      const withRoots = await core.connect('host', { roots: [other.dir] });
      const out = await withRoots.ok<Dispatched>('subagent_dispatch', { agent_id: 'cookie', task: 'read our README' });
      expect(out.result).toContain('# The host project');
      // Two sessions of the same agent with different roots: each dispatch uses its own session's roots.
      const second = await tempDir('baton-roots-');
      try {
        await writeFile(path.join(second.dir, 'README.md'), '# The second window\n');
        const window2 = await core.connect('host', { roots: [second.dir] });
        const own = await window2.ok<Dispatched>('subagent_dispatch', { agent_id: 'cookie', task: 'read our README' });
        expect(own.result).toContain('# The second window');
      } finally {
        await second.cleanup();
      }
      const withoutRoots = await core.connect('other');
      const plain = await withoutRoots.ok<Dispatched>('subagent_dispatch', { agent_id: 'cookie', task: 'read it' });
      expect(plain.result).toContain('Cookies hand work');

      const bounded = await start({ workspace: [sandbox.dir] });
      const narrowed = await bounded.connect('host', { roots: [other.dir] });
      const kept = await narrowed.ok<Dispatched>('subagent_dispatch', { agent_id: 'cookie', task: 'read our README' });
      expect(kept.result).toContain('Cookies hand work'); // the client's root outside --workspace was not used
    } finally {
      await other.cleanup();
    }
  });
});
