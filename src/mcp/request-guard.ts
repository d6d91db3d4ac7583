/**
 * A small check in front of the SDK's request handling, for requests whose shape the SDK answers badly:
 * - a `tools/call` whose `arguments` is null, an array or a string: the SDK's request parse (the wrapper that
 *   `Protocol.setRequestHandler` puts around every handler, shared/protocol.js) throws a ZodError, which
 *   `Protocol._onrequest` answers as -32603 Internal error with the zod dump as its message;
 * - `params` that is not an object: the message fails the SDK's `isJSONRPCRequest`, and `Protocol.connect`'s
 *   onmessage hands it to `onerror` without answering at all;
 * - a `tools/call` naming no tool we registered: `McpServer`'s handler (server/mcp.js, setToolRequestHandlers)
 *   looks the name up in a plain object, so `__proto__` or `toString` find Object.prototype's members and answer
 *   "Tool X disabled".
 * Both run before any handler of ours could, so the check sits on the transport: it answers such a request itself
 * with -32602 Invalid params and a message that says what is wrong (MCP: unknown tools and invalid arguments are
 * protocol errors, -32602), and hands every other message to the SDK unchanged.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { holdAnswersUntilDurable } from './durable-answers.js';
import type { HoldAnswer } from './durable-answers.js';
import { holdUntilReady } from './ready-gate.js';

/** An McpServer whose transports get `guardRequests` once connected. */
export class GuardedMcpServer extends McpServer {
  /** The names of the tools this server publishes (set by `createServer` once they are registered). */
  toolNames: ReadonlySet<string> = new Set();
  /** Settles once the store is open: until then requests that need it wait (`ready-gate.ts`). */
  ready: Promise<void> | null = null;
  /** The store's `whenDurable`: answers wait for it (`durable-answers.ts`). */
  whenDurable: (() => Promise<void> | null) | null = null;
  private hold: HoldAnswer | null = null;

  override async connect(transport: Transport): Promise<void> {
    await super.connect(transport);
    if (this.whenDurable) this.hold = holdAnswersUntilDurable(transport, this.whenDurable);
    guardRequests(transport, () => this.toolNames);
    if (this.ready) holdUntilReady(transport, this.ready);
  }

  /** Holds the answer to request `id` until `until` settles (`durable-answers.ts`); its failure is answered. */
  holdAnswer(id: RequestId, until: Promise<unknown>): void {
    this.hold?.(id, until);
  }
}

/** Wraps `transport.onmessage` (set by the SDK's connect) with the check. */
export function guardRequests(transport: Transport, toolNames: () => ReadonlySet<string>): void {
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    // Not the SDK's isJSONRPCRequest: a request whose params is not an object fails that guard, and the SDK then
    // drops it without any answer.
    const problem = isRequest(message) ? requestProblem(message, toolNames()) : null;
    if (problem === null) return deliver?.(message, extra);
    const reply: JSONRPCMessage = {
      jsonrpc: '2.0',
      id: (message as JSONRPCRequest).id,
      error: { code: ErrorCode.InvalidParams, message: problem },
    };
    transport.send(reply).catch(() => undefined);
  };
}

/** What is wrong with a request's shape, or null for the SDK to handle it. */
export function requestProblem(request: JSONRPCRequest, toolNames: ReadonlySet<string>): string | null {
  const params: unknown = request.params;
  if (params !== undefined && !isObject(params)) {
    return `${request.method}: params must be an object, not ${describe(params)}`;
  }
  if (request.method !== 'tools/call') return null;
  const { name, arguments: args } = (params ?? {}) as { name?: unknown; arguments?: unknown };
  if (typeof name !== 'string') return `tools/call: params.name must be a tool name, not ${describe(name)}`;
  if (!toolNames.has(name)) {
    return `unknown tool ${JSON.stringify(name)}; tools: ${[...toolNames].sort().join(', ')}`;
  }
  if (args !== undefined && !isObject(args)) {
    return `tools/call ${name}: arguments must be an object of named arguments, not ${describe(args)}`;
  }
  return null;
}

function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  const m = message as { method?: unknown; id?: unknown };
  return typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number');
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
