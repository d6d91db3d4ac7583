/**
 * MCP 2026-07-28 on the wire, the parts Baton's modern front needs: the per-request envelope in `params._meta`
 * (no `initialize`, no sessions), its error codes, and the keys of the Tasks extension. Pure: no I/O, no SDK.
 */

export const MODERN_VERSION = '2026-07-28';
/** The modern revisions this server speaks; 2025-11-25 clients are reached through `initialize` instead. */
export const MODERN_VERSIONS: readonly string[] = [MODERN_VERSION];
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

export const ERROR = {
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  headerMismatch: -32020,
  missingClientCapability: -32021,
  unsupportedVersion: -32022,
} as const;

export type JsonObject = Record<string, unknown>;
export type RequestId = string | number;

/** A JSON-RPC message as it arrived, before anything is known of it. */
export interface RpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

/** An error to answer with: its JSON-RPC code and, on HTTP, the status it goes with. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    readonly httpStatus = 200,
  ) {
    super(message);
  }

  toJson(): JsonObject {
    return { code: this.code, message: this.message, ...(this.data !== undefined ? { data: this.data } : {}) };
  }
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Does the message claim the modern revision, by carrying a protocol version in its `_meta`? */
export function claimsModern(message: unknown): boolean {
  if (!isObject(message) || !isObject(message.params)) return false;
  const meta = message.params._meta;
  return isObject(meta) && META.protocolVersion in meta;
}

/** What a valid envelope says about one request. */
export interface Envelope {
  version: string;
  capabilities: JsonObject;
  /** The client declared the Tasks extension for this request. */
  tasks: boolean;
}

/** Checks a modern request's envelope: -32602 for missing keys, -32022 for a version this server does not speak. */
export function readEnvelope(params: unknown): Envelope {
  const meta = isObject(params) && isObject(params._meta) ? params._meta : {};
  const version = meta[META.protocolVersion];
  if (typeof version !== 'string') {
    throw new RpcError(
      ERROR.invalidParams,
      `Invalid params: _meta["${META.protocolVersion}"] is missing`,
      undefined,
      400,
    );
  }
  if (!MODERN_VERSIONS.includes(version)) {
    throw new RpcError(
      ERROR.unsupportedVersion,
      `Unsupported protocol version: ${version}`,
      { supported: MODERN_VERSIONS, requested: version },
      400,
    );
  }
  const capabilities = meta[META.clientCapabilities];
  if (!isObject(capabilities)) {
    throw new RpcError(
      ERROR.invalidParams,
      `Invalid params: _meta["${META.clientCapabilities}"] is missing (send {} for none)`,
      undefined,
      400,
    );
  }
  const extensions = capabilities.extensions;
  return { version, capabilities, tasks: isObject(extensions) && TASKS_EXTENSION in extensions };
}

/** -32021 unless the request declared the Tasks extension. */
export function requireTasks(envelope: Envelope): void {
  if (envelope.tasks) return;
  throw new RpcError(
    ERROR.missingClientCapability,
    `Missing required client capability: extensions["${TASKS_EXTENSION}"]`,
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
    400,
  );
}

/** `params` without the envelope's keys (what the 2025 server underneath expects). */
export function withoutEnvelope(params: unknown): JsonObject {
  if (!isObject(params)) return {};
  const { _meta, ...rest } = params;
  if (!isObject(_meta)) return rest;
  const kept = Object.fromEntries(Object.entries(_meta).filter(([key]) => !key.startsWith('io.modelcontextprotocol/')));
  return Object.keys(kept).length > 0 ? { ...rest, _meta: kept } : rest;
}
