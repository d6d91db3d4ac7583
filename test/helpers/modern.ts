/** Hand-built MCP 2026-07-28 requests (the per-request envelope) and a poster for them over HTTP. */
export const MODERN = '2026-07-28';
/** JSON read off the wire: the tests look into it with toMatchObject and plain property reads. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON of any shape, in tests only
export type Wire = any;
export const TASKS = 'io.modelcontextprotocol/tasks';
const NAME_FIELD: Record<string, string> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

export interface EnvelopeOptions {
  /** Declare the Tasks extension (default true). */
  tasks?: boolean;
  version?: string;
  /** Extra `_meta` keys (a progress token, say). */
  meta?: Record<string, unknown>;
}

let nextId = 1;

/** A JSON-RPC request with the 2026 envelope in `params._meta`. */
export function modernRequest(method: string, params: Record<string, unknown> = {}, options: EnvelopeOptions = {}) {
  return {
    jsonrpc: '2.0' as const,
    id: nextId++,
    method,
    params: {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': options.version ?? MODERN,
        'io.modelcontextprotocol/clientInfo': { name: 'hand-built', version: '1.0.0' },
        'io.modelcontextprotocol/clientCapabilities': options.tasks === false ? {} : { extensions: { [TASKS]: {} } },
        ...options.meta,
      },
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  /** The JSON-RPC response. */
  body: { id?: unknown; result?: Record<string, Wire>; error?: { code: number; message: string; data?: Wire } };
  /** Notifications sent before the response (SSE). */
  notifications: Array<{ method: string; params: Record<string, Wire> }>;
}

/** The headers a 2026 client sends along with `message`. */
export function modernHeaders(message: { method: string; params: Record<string, Wire> }): Record<string, string> {
  const field = NAME_FIELD[message.method];
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': message.params._meta?.['io.modelcontextprotocol/protocolVersion'] ?? MODERN,
    'mcp-method': message.method,
    ...(field && typeof message.params[field] === 'string' ? { 'mcp-name': message.params[field] } : {}),
  };
}

/** POSTs one message to `url` and reads its answer, JSON or SSE. */
export async function post(
  url: string,
  message: { method: string; params: Record<string, Wire> },
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...modernHeaders(message), ...headers },
    body: JSON.stringify(message),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  const frames = res.headers.get('content-type')?.includes('text/event-stream')
    ? text
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => JSON.parse(line.slice(6)))
    : text
      ? [JSON.parse(text)]
      : [];
  return {
    status: res.status,
    headers: res.headers,
    body: frames.find((f) => 'result' in f || 'error' in f) ?? {},
    notifications: frames.filter((f) => 'method' in f),
  };
}
