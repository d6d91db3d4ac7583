/**
 * The MCP 2026-07-28 front (issue 14): answers one modern request at a time, statelessly. Every request carries
 * its revision and its client's capabilities in `params._meta`; identity comes from the transport (the bearer
 * token, or `--as`). `server/discover` is answered here; the ordinary methods go to the agent's 2025-11-25 server
 * underneath (`inner.ts`), so both revisions see the same tools; the Tasks extension and `subscriptions/listen` are
 * served from the TaskService and the bus. Nothing of a request is kept after its answer, so any Baton server on
 * the same store can answer any request.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../../version.js';
import { INSTRUCTIONS } from '../server.js';
import type { ServerDeps } from '../server.js';
import { InnerServers } from './inner.js';
import { listen } from './listen.js';
import {
  ERROR,
  META,
  MODERN_VERSIONS,
  RpcError,
  TASKS_EXTENSION,
  isObject,
  readEnvelope,
  requireTasks,
} from './protocol.js';
import { withoutEnvelope } from './protocol.js';
import type { Envelope, JsonObject, RequestId, RpcMessage } from './protocol.js';
import { ModernTasks } from './tasks.js';

/** The methods the server underneath answers as they are. */
const FORWARDED = new Set([
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'completion/complete',
]);
/** Results a client may cache (`ttlMs`, `cacheScope` required): private, and never for long (hot reload). */
const CACHEABLE = new Set([
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
]);
const CACHE = { ttlMs: 0, cacheScope: 'private' };
/** A plain tools/call waits this long at most (a dispatch's own timeout ends it sooner). */
const CALL_TIMEOUT_MS = 25 * 3600 * 1000;

const SERVER_INFO = { name: 'baton', title: 'Baton', version: VERSION };
/** A 2026 client gets no log messages: what reaches it instead. */
export const MODERN_INSTRUCTIONS = INSTRUCTIONS.replace(
  /Notifications about your tasks.*$/,
  'Messages from other agents and news of your tasks wait in your inbox (read_inbox); long dispatches run as ' +
    'tasks (tasks/get), and subscriptions/listen follows tasks as they change.',
);

/** What the transport gives one request. */
export interface ModernCall {
  /** Who the request acts for. */
  agentId: string;
  /** Aborted when the client goes away (HTTP stream closed, stdio `notifications/cancelled`) or at shutdown. */
  signal: AbortSignal;
  /** Sends a notification that belongs to this request (progress, a listen stream's notifications). */
  notify(method: string, params: JsonObject): void;
}

/** The answer: a JSON-RPC response (null for a notification) and, for HTTP, its status. */
export interface ModernReply {
  status: number;
  body: JsonObject | null;
}

export class ModernFront {
  private readonly inner: InnerServers;
  private readonly tasks: ModernTasks;
  /** Aborted at close: open listen streams end gracefully. */
  private readonly closing = new AbortController();

  constructor(private readonly deps: ServerDeps) {
    this.inner = new InnerServers(deps);
    this.tasks = new ModernTasks(deps);
  }

  async respond(message: RpcMessage, call: ModernCall): Promise<ModernReply> {
    const id = message.id;
    const isRequest = typeof id === 'string' || typeof id === 'number';
    if (!isRequest) return { status: 202, body: null }; // modern notifications ask nothing of the server
    try {
      if (typeof message.method !== 'string')
        throw new RpcError(ERROR.invalidRequest, 'Invalid request: no method', undefined, 400);
      const signal = AbortSignal.any([call.signal, this.closing.signal]);
      const result = await this.handle(message.method, message.params, id, { ...call, signal });
      const meta = isObject(result._meta) ? result._meta : {};
      return {
        status: 200,
        body: {
          jsonrpc: '2.0',
          id,
          result: { resultType: 'complete', ...result, _meta: { ...meta, [META.serverInfo]: SERVER_INFO } },
        },
      };
    } catch (error) {
      const rpc = toRpcError(error);
      if (rpc.code === ERROR.internal) this.deps.log.error('modern request failed', { error: String(error) });
      return { status: rpc.httpStatus, body: { jsonrpc: '2.0', id, error: rpc.toJson() } };
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.inner.close();
  }

  private async handle(method: string, params: unknown, id: RequestId, call: ModernCall): Promise<JsonObject> {
    const envelope = readEnvelope(params);
    const body = withoutEnvelope(params);
    if (method === 'server/discover') return this.discover(call.agentId);
    // The rest needs the store open; the server underneath holds what it is forwarded itself (`ready-gate.ts`).
    if (!FORWARDED.has(method)) await this.deps.ready;
    if (FORWARDED.has(method)) {
      const result = await this.forward(call.agentId, method, body, call);
      if (method === 'tools/list' && Array.isArray(result.tools)) {
        // 2026 tools have no execution.taskSupport: the server decides per call.
        result.tools = result.tools.map((tool: JsonObject) => {
          const { execution: _execution, ...rest } = tool;
          return rest;
        });
      }
      return CACHEABLE.has(method) ? { ...result, ...CACHE } : result;
    }
    if (method === 'tools/call') return this.callTool(body, envelope, params, call);
    if (method === 'tasks/get' || method === 'tasks/update' || method === 'tasks/cancel') {
      requireTasks(envelope);
      const taskId = body.taskId;
      if (typeof taskId !== 'string')
        throw new RpcError(ERROR.invalidParams, `Invalid params: ${method} needs a taskId`);
      if (method === 'tasks/get') return this.tasks.get(call.agentId, taskId);
      if (method === 'tasks/update') return this.tasks.update(call.agentId, taskId);
      return this.tasks.cancel(call.agentId, taskId);
    }
    if (method === 'subscriptions/listen') {
      return listen(this.deps, body, { caller: call.agentId, id, envelope, notify: call.notify, signal: call.signal });
    }
    throw new RpcError(ERROR.methodNotFound, `Method not found: ${method}`, undefined, 404);
  }

  /** What the server underneath offers, in 2026 terms: no logging, and tasks as an extension. */
  private async discover(agentId: string): Promise<JsonObject> {
    const offered = (await this.inner.client(agentId)).getServerCapabilities() ?? {};
    const { logging: _logging, tasks: _tasks, experimental: _experimental, ...capabilities } = offered;
    return {
      supportedVersions: MODERN_VERSIONS,
      capabilities: { ...capabilities, extensions: { [TASKS_EXTENSION]: {} } },
      instructions: MODERN_INSTRUCTIONS,
      ...CACHE,
    };
  }

  private async callTool(body: JsonObject, envelope: Envelope, params: unknown, call: ModernCall): Promise<JsonObject> {
    // A 2025 `params.task` on a modern call means nothing: the server alone decides whether a call is a task.
    const { task: _legacyTask, ...request } = body;
    if (envelope.tasks && this.tasks.runsAsTask(request.name)) {
      const started = await this.tasks.start(call.agentId, request.arguments);
      if (started) return started;
    }
    const token = isObject(params) && isObject(params._meta) ? params._meta.progressToken : undefined;
    const onprogress =
      typeof token === 'string' || typeof token === 'number'
        ? (progress: Progress) => call.notify('notifications/progress', { ...progress, progressToken: token })
        : undefined;
    return this.forward(call.agentId, 'tools/call', request, call, onprogress);
  }

  private async forward(
    agentId: string,
    method: string,
    params: JsonObject,
    call: ModernCall,
    onprogress?: (progress: Progress) => void,
  ): Promise<JsonObject> {
    const client: Client = await this.inner.client(agentId);
    const { _meta: _ownMeta, ...plain } = params; // the SDK client adds its own progress token
    const result = await client.request({ method, params: onprogress ? plain : params } as never, ResultSchema, {
      signal: call.signal,
      timeout: CALL_TIMEOUT_MS,
      ...(onprogress ? { onprogress, resetTimeoutOnProgress: true } : {}),
    });
    return result as JsonObject;
  }
}

function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof McpError) {
    return new RpcError(error.code, error.message.replace(/^MCP error -?\d+: /, ''), error.data);
  }
  return new RpcError(ERROR.internal, 'Internal error');
}
