/** Builds Baton's shared parts on a temp store and connects real MCP clients over in-memory transports. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { InMemoryEventBus } from '../../src/events/in-memory-event-bus.js';
import { silentLogger } from '../../src/log.js';
import { createServer } from '../../src/mcp/server.js';
import { SessionRegistry } from '../../src/mcp/session-registry.js';
import { LowdbTaskStore } from '../../src/store/lowdb-task-store.js';
import { DeadlineTimer } from '../../src/tasks/deadline-timer.js';
import { TaskService } from '../../src/tasks/task-service.js';

export async function tempDir(prefix = 'baton-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Core {
  storePath: string;
  store: LowdbTaskStore;
  tasks: TaskService;
  connect(agentId: string): Promise<TestClient>;
  close(): Promise<void>;
}

export interface TestClient {
  client: Client;
  /** `notifications/message` data received so far. */
  messages: unknown[];
  /** `notifications/resources/updated` URIs received so far. */
  updates: string[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Calls a tool that must succeed and returns its structured content. */
  ok<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  /** Calls a tool that must fail and returns its error text. */
  err(name: string, args?: Record<string, unknown>): Promise<string>;
}

export async function startCore(options: { storePath?: string; defaultTimeoutSeconds?: number } = {}): Promise<Core> {
  const tmp = options.storePath ? null : await tempDir();
  const storePath = options.storePath ?? path.join(tmp!.dir, 'store.json');
  const bus = new InMemoryEventBus(silentLogger);
  const store = await LowdbTaskStore.open({ path: storePath, pollMs: 50 });
  const tasks = new TaskService({ store, bus, defaultTimeoutSeconds: options.defaultTimeoutSeconds ?? 600 });
  const deadlines = new DeadlineTimer(tasks, bus, silentLogger);
  deadlines.start();
  const sessions = new SessionRegistry(bus, silentLogger);
  const clients: Client[] = [];
  return {
    storePath,
    store,
    tasks,
    async connect(agentId) {
      const server = createServer({ tasks, sessions, log: silentLogger }, agentId);
      const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
      const client = new Client({ name: `test-${agentId}`, version: '1.0.0' });
      await server.connect(serverTransport);
      await client.connect(clientTransport);
      clients.push(client);
      return wrapClient(client);
    },
    async close() {
      for (const c of clients) await c.close();
      deadlines.stop();
      sessions.close();
      await store.close();
      await tmp?.cleanup();
    },
  };
}

export function wrapClient(client: Client): TestClient {
  const messages: unknown[] = [];
  const updates: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    messages.push(n.params.data);
  });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updates.push(n.params.uri);
  });
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    client,
    messages,
    updates,
    call,
    async ok(name, args) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
      return result.structuredContent as never;
    },
    async err(name, args) {
      const result = await call(name, args);
      if (!result.isError) throw new Error(`${name} unexpectedly succeeded: ${textOf(result)}`);
      return textOf(result);
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
}

/** Polls until `check` returns a truthy value or the time runs out. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
