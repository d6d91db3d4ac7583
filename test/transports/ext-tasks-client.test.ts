/**
 * The official Tasks extension client (`@modelcontextprotocol/ext-tasks` on `@modelcontextprotocol/client` 2.x),
 * framed for 2026-07-28 over HTTP (issue 14 "Show"): it runs a dispatch as a task and polls it to its answer,
 * and cancels another one, whose model request is aborted.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createTaskSessionFromClient, resultFromTaskOutcome } from '@modelcontextprotocol/ext-tasks/client';
import { describe, expect, it } from 'vitest';
import { startHttp } from '../../src/transports/http.js';
import { writeAgent } from '../helpers/agents.js';
import type { Wire } from '../helpers/modern.js';
import { MODERN, modernHeaders, post } from '../helpers/modern.js';
import { useSandbox } from '../helpers/sandbox.js';

describe('the ext-tasks client against Baton (2026-07-28)', () => {
  const sandbox = useSandbox();

  it('runs a dispatch as a task to completion, then cancels another (the fake model sees the abort)', async () => {
    const fake = await sandbox.fakeOpenAi([{ text: 'Polled to the end.', delayMs: 300 }, { hang: true }]);
    await writeAgent(sandbox.agentsDir, 'worker', { model: 'openai:gpt-test' });
    const core = await sandbox.start({});
    const http = await startHttp(core.baton, { host: '127.0.0.1', port: 0, agentId: 'host', tokens: null });
    const url = `${http.url}/mcp`;
    const clientInfo = { name: 'ext-tasks-test', version: '1.0.0' };
    const client = new Client(clientInfo, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(client.getProtocolEra()).toBe('modern');

    // The session's wire path for task-shaped answers (the SDK Client itself refuses resultType "task").
    let nextId = 1;
    const rawDispatch = async (
      request: { method: string; params?: Record<string, Wire> },
      options: { signal?: AbortSignal; context?: { headers?: Record<string, string> } } = {},
    ) => {
      const message = { jsonrpc: '2.0', id: `raw-${nextId++}`, ...request, params: request.params ?? {} };
      const headers = new Headers(options.context?.headers);
      for (const [key, value] of Object.entries(modernHeaders(message))) headers.set(key, value);
      const reply = await post(url, message, Object.fromEntries(headers), options.signal);
      return reply.body.error
        ? { kind: 'error' as const, error: reply.body.error }
        : { kind: 'result' as const, result: reply.body.result! };
    };
    const session = createTaskSessionFromClient(client, {
      endpointId: 'baton',
      rawDispatch: rawDispatch as never,
      v2RequestFraming: { protocolVersion: MODERN, clientInfo, clientCapabilities: {} },
    });
    try {
      const { tools } = await client.listTools();
      const tool = tools.find((t) => t.name === 'subagent_dispatch')!;
      const declaration = { name: tool.name, inputSchema: tool.inputSchema as Wire };

      const first = await session.callTool(
        'subagent_dispatch',
        { agent_id: 'worker', task: 'Answer slowly.' },
        { declaration, task: { preference: 'prefer' } },
      );
      expect(first.kind).toBe('task');
      const taskId = first.kind === 'task' ? first.handle.taskId : '';
      expect((await core.tasks.peek(taskId))?.kind).toBe('dispatch'); // the MCP task id is the Baton task id
      const { outcome } = await first.settle();
      expect(outcome.status).toBe('completed');
      expect(resultFromTaskOutcome(outcome)).toMatchObject({
        content: [{ type: 'text', text: 'Polled to the end.' }],
        structuredContent: { task_id: taskId, status: 'completed' },
      });

      const second = await session.callTool(
        'subagent_dispatch',
        { agent_id: 'worker', task: 'Never finish.' },
        { declaration, task: { preference: 'prefer' } },
      );
      expect(second.kind).toBe('task');
      await fake.waitFor(() => fake.requests.length === 2);
      await second.cancel();
      expect((await second.settle()).outcome.status).toBe('cancelled');
      await fake.waitFor(() => fake.aborted === 1);
      const secondId = second.kind === 'task' ? second.handle.taskId : '';
      expect((await core.tasks.peek(secondId))?.status).toBe('cancelled');
    } finally {
      await session.close();
      await client.close();
      await http.close();
    }
  }, 20_000);
});
