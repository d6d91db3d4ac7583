/**
 * Requests of the wrong shape get -32602 saying what is wrong (issue 7, item 16), over a raw in-memory transport:
 * `arguments` that is null, an array or a string, and tool names that exist only on Object.prototype.
 */
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, resolveToolList } from '../../src/mcp/server.js';
import type { Core } from '../helpers/core.js';
import { eventually, startCore } from '../helpers/core.js';

interface Reply {
  id: number;
  result?: { isError?: boolean; content?: Array<{ text: string }> };
  error?: { code: number; message: string };
}

describe('requests of the wrong shape', () => {
  let core: Core;
  let client: InMemoryTransport;
  const replies = new Map<number, Reply>();
  let nextId = 1;

  beforeEach(async () => {
    core = await startCore();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    client = clientSide;
    client.onmessage = (message: JSONRPCMessage) => {
      const reply = message as unknown as Reply;
      if (typeof reply.id === 'number') replies.set(reply.id, reply);
    };
    await createServer(core.baton, 'alice').connect(serverSide);
    await client.start();
    await request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'raw', version: '1.0.0' },
    });
    await client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });
  afterEach(async () => {
    replies.clear();
    await client.close();
    await core.close();
  });

  /** Sends a raw request (params as given, unchecked) and waits for its reply. */
  async function request(method: string, params: unknown): Promise<Reply> {
    const id = nextId++;
    await client.send({ jsonrpc: '2.0', id, method, params } as JSONRPCMessage);
    return eventually(() => replies.get(id), 5000, `the reply to ${method}`);
  }

  it.each([
    [null, 'null'],
    [['bob', 'x'], 'an array'],
    ['{"assignee_id":"bob"}', 'a string'],
    [42, 'a number'],
  ])('answers arguments %j with -32602 naming them', async (args, what) => {
    const reply = await request('tools/call', { name: 'delegate_task', arguments: args });
    expect(reply.error).toEqual({
      code: -32602,
      message: `tools/call delegate_task: arguments must be an object of named arguments, not ${what}`,
    });
  });

  it.each(['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'no_such_tool'])(
    'answers the tool name %j with -32602 unknown tool',
    async (name) => {
      const reply = await request('tools/call', { name, arguments: {} });
      expect(reply.error?.code).toBe(-32602);
      expect(reply.error?.message).toMatch(
        new RegExp(`^unknown tool "${name}"; tools: board_snapshot, cancel_task, complete_task, `),
      );
    },
  );

  it('answers params that are not an object with -32602, for any method', async () => {
    expect((await request('tools/call', 'delegate_task')).error).toEqual({
      code: -32602,
      message: 'tools/call: params must be an object, not a string',
    });
    expect((await request('resources/read', [1])).error).toEqual({
      code: -32602,
      message: 'resources/read: params must be an object, not an array',
    });
  });

  it('leaves well-formed calls to the SDK, bad argument values included', async () => {
    const ok = await request('tools/call', { name: 'list_tasks', arguments: {} });
    expect(ok.result?.isError).toBeFalsy();
    const noArgs = await request('tools/call', { name: 'list_tasks' });
    expect(noArgs.result?.isError).toBeFalsy();
    const bad = await request('tools/call', { name: 'delegate_task', arguments: { assignee_id: 7 } });
    expect(bad.result?.isError).toBe(true);
    expect(bad.result?.content?.[0]?.text).toMatch(/assignee_id/);
  });
});

describe('--tools', () => {
  it('expands group names, and refuses "constructor" or "__proto__" as unknown rather than as a group', () => {
    expect([...(resolveToolList(['orchestration', 'get_task']) ?? [])].sort()).toEqual([
      'get_task',
      'merge',
      'wait_for_tasks',
    ]);
    for (const item of ['constructor', '__proto__', 'toString']) {
      expect(() => resolveToolList([item]), item).toThrow(`invalid --tools: unknown tool or group "${item}"`);
    }
  });
});
