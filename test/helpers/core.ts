/** Builds Baton's shared parts on a temp store and connects real MCP clients over in-memory transports. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { pathToFileURL } from 'node:url';
import {
  CreateMessageRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach } from 'vitest';
import type { CallToolResult, CreateMessageRequest, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_PRICES } from '../../src/usage/prices.js';
import { createBaton } from '../../src/baton.js';
import type { Baton } from '../../src/baton.js';
import type { Config } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import type { Logger } from '../../src/log.js';
import { McpServersSchema } from '../../src/tools/mcp-client/server-config.js';
import { createServer } from '../../src/mcp/server.js';
import { OpeningStore } from '../../src/store/opening-store.js';

export async function tempDir(prefix = 'baton-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A fresh temp folder before each test of the enclosing `describe`, removed after it: `use` hears the store path
 * in it (`store.json`) and the folder.
 *   let file: string;
 *   eachTempStore((f) => (file = f));
 */
export function eachTempStore(use: (file: string, dir: string) => void): void {
  let cleanup: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const made = await tempDir();
    cleanup = made.cleanup;
    use(path.join(made.dir, 'store.json'), made.dir);
  });
  afterEach(async () => {
    await cleanup?.();
  });
}

export interface Core {
  storePath: string;
  baton: Baton;
  store: Baton['store'];
  tasks: Baton['tasks'];
  connect(agentId: string, options?: ConnectOptions): Promise<TestClient>;
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

export interface ConnectOptions {
  /** Declares the sampling capability and answers `sampling/createMessage` with this handler. */
  sampling?: (request: CreateMessageRequest) => CreateMessageResult | Promise<CreateMessageResult>;
  /** Declares the roots capability and answers `roots/list` with these folders. */
  roots?: string[];
  /** Declares the MCP Apps extension (`io.modelcontextprotocol/ui`): a host that renders apps. */
  apps?: boolean;
}

export interface CoreOptions {
  storePath?: string;
  defaultTimeoutSeconds?: number;
  /** Agent folders. Default: none, so no agents. */
  agents?: string[];
  model?: string | null;
  env?: Record<string, string>;
  maxConcurrency?: number;
  maxDepth?: number;
  maxPerSession?: number;
  tools?: string[] | null;
  watch?: boolean;
  retryBaseMs?: number;
  /** Load the bundled agents below `agents` (default false, so tests see only their own agents). */
  bundledAgents?: boolean;
  /** `--allow`. */
  permissions?: Config['permissions'];
  /** `mcpServers`. */
  mcpServers?: Record<string, unknown>;
  /** `models` / `--model-map`. */
  modelMap?: Record<string, string>;
  /** `--workspace` (default: none, so the workspace is `cwd`). */
  workspace?: string[];
  /** The start directory (the default workspace root). */
  cwd?: string;
  log?: Logger;
  /** `--lease-seconds` (default 30). */
  leaseSeconds?: number;
  /** `--max-tokens-per-root`. */
  maxTokensPerRoot?: number;
  /** `prices`, over the shipped defaults. */
  prices?: Config['prices'];
}

export async function startCore(options: CoreOptions = {}): Promise<Core> {
  const tmp = await tempDir();
  const storePath = options.storePath ?? path.join(tmp.dir, 'store.json');
  const baton = await createBaton(
    {
      store: storePath,
      defaultTimeout: options.defaultTimeoutSeconds ?? 600,
      agents: options.agents ?? [path.join(tmp.dir, 'no-agents')],
      model: options.model ?? null,
      maxConcurrency: options.maxConcurrency ?? 8,
      maxDepth: options.maxDepth ?? 3,
      maxPerSession: options.maxPerSession ?? 10,
      tools: options.tools ?? null,
      bundledAgents: options.bundledAgents ?? false,
      permissions: options.permissions ?? [],
      mcpServers: McpServersSchema.parse(options.mcpServers ?? {}),
      models: options.modelMap ?? {},
      workspace: options.workspace ?? null,
      ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
      ...(options.maxTokensPerRoot !== undefined ? { maxTokensPerRoot: options.maxTokensPerRoot } : {}),
      ...(options.prices ? { prices: { ...DEFAULT_PRICES, ...options.prices } } : {}),
    },
    options.log ?? silentLogger,
    {
      env: options.env ?? {},
      ...(options.cwd ? { cwd: options.cwd } : {}),
      mcpTimings: { restartBaseMs: 300, restartMaxMs: 1000, graceMs: 500 },
      workspaceTools: { bash: { graceMs: 300 } },
      watch: options.watch ?? false,
      retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
      retryBaseMs: options.retryBaseMs ?? 10,
    },
  );
  const clients: Client[] = [];
  return {
    storePath,
    baton,
    // The backend itself (baton.store wraps it while it opens; createBaton waited for that).
    store: baton.store instanceof OpeningStore ? await baton.store.opened : baton.store,
    tasks: baton.tasks,
    async connect(agentId, connectOptions = {}) {
      const server = createServer(baton, agentId);
      const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
      const client = new Client(
        { name: `test-${agentId}`, version: '1.0.0' },
        {
          capabilities: {
            ...(connectOptions.sampling ? { sampling: {} } : {}),
            ...(connectOptions.roots ? { roots: {} } : {}),
            ...(connectOptions.apps
              ? { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } }
              : {}),
          },
        },
      );
      if (connectOptions.roots) {
        const roots = connectOptions.roots.map((dir) => ({ uri: pathToFileURL(dir).href, name: path.basename(dir) }));
        client.setRequestHandler(ListRootsRequestSchema, () => ({ roots }));
      }
      if (connectOptions.sampling) {
        const handler = connectOptions.sampling;
        client.setRequestHandler(CreateMessageRequestSchema, (request) => handler(request));
      }
      await server.connect(serverTransport);
      await client.connect(clientTransport);
      clients.push(client);
      return wrapClient(client);
    },
    async close() {
      for (const c of clients) await c.close();
      await baton.close();
      await tmp.cleanup();
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
