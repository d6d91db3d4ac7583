/**
 * MCP 2026-07-28 over Streamable HTTP, next to the 2025-11-25 sessions on the same `/mcp` (issue 14). A POST is
 * modern when its body carries the per-request envelope, or when it names a 2026 revision in its
 * `MCP-Protocol-Version` header without being an `initialize`; everything else keeps today's session path. A
 * modern request needs no session: its headers must agree with its body (`MCP-Protocol-Version`, `Mcp-Method`,
 * `Mcp-Name`: -32020 otherwise), a `tools/call` or `subscriptions/listen` answers on an SSE stream (progress and
 * listen notifications first), anything else as JSON. Closing the stream cancels the request.
 */
import type { Request, Response } from 'express';
import type { ModernFront } from '../mcp/modern/front.js';
import { ERROR, claimsModern, isObject } from '../mcp/modern/protocol.js';
import type { JsonObject } from '../mcp/modern/protocol.js';

/** SSE comments this often keep a long stream open through proxies. */
const KEEPALIVE_MS = 15_000;
/** The params field each method's `Mcp-Name` header mirrors. */
const NAME_FIELD: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};
const STREAMED = new Set(['tools/call', 'subscriptions/listen']);

/** Is this POST a 2026-07-28 one? */
export function isModernPost(req: Request): boolean {
  const body: unknown = req.body;
  if (Array.isArray(body)) return body.some(claimsModern);
  if (claimsModern(body)) return true;
  const header = req.headers['mcp-protocol-version'];
  return typeof header === 'string' && header >= '2026' && isObject(body) && body.method !== 'initialize';
}

export async function modernPost(front: ModernFront, req: Request, res: Response, agentId: string): Promise<void> {
  const message: unknown = req.body;
  if (!isObject(message)) {
    return reply(
      res,
      400,
      error(null, ERROR.invalidRequest, 'Invalid request: a 2026-07-28 POST carries one JSON-RPC message, not a batch'),
    );
  }
  const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
  if (id !== null) {
    const mismatch = headerMismatch(req, message);
    if (mismatch) return reply(res, 400, error(id, ERROR.headerMismatch, `Header mismatch: ${mismatch}`));
  }
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(); // the client closed the stream: cancel the request
  });
  const accept = req.headers.accept ?? '';
  const streamed = id !== null && STREAMED.has(String(message.method)) && accept.includes('text/event-stream');
  let keepalive: NodeJS.Timeout | undefined;
  const open = () => {
    if (res.headersSent) return;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
  };
  const send = (body: JsonObject) => {
    open();
    res.write(`data: ${JSON.stringify(body)}\n\n`);
  };
  if (streamed && message.method === 'subscriptions/listen') open();
  try {
    const answer = await front.respond(message, {
      agentId,
      signal: abort.signal,
      notify: (method, params) => {
        if (streamed && !abort.signal.aborted) send({ jsonrpc: '2.0', method, params });
      },
    });
    if (abort.signal.aborted && message.method !== 'subscriptions/listen') return;
    if (answer.body === null) return void res.status(202).end();
    if (res.headersSent || (streamed && answer.status === 200)) {
      send(answer.body);
      return void res.end();
    }
    reply(res, answer.status, answer.body);
  } finally {
    clearInterval(keepalive);
  }
}

/** What disagrees between the headers and the body, or null. Values may be `=?base64?…?=` encoded. */
function headerMismatch(req: Request, message: JsonObject): string | null {
  const params = isObject(message.params) ? message.params : {};
  const meta = isObject(params._meta) ? params._meta : {};
  const version = req.headers['mcp-protocol-version'];
  const claimed = meta['io.modelcontextprotocol/protocolVersion'];
  if (typeof version !== 'string') return 'the MCP-Protocol-Version header is missing';
  if (claimed !== undefined && version !== claimed)
    return `MCP-Protocol-Version ${version} is not the body's ${String(claimed)}`;
  const method = decoded(req.headers['mcp-method']);
  if (method !== message.method)
    return `Mcp-Method ${method ?? '(missing)'} is not the body's ${String(message.method)}`;
  const field = NAME_FIELD[String(message.method)];
  if (field && typeof params[field] === 'string') {
    const name = decoded(req.headers['mcp-name']);
    if (name !== params[field]) return `Mcp-Name ${name ?? '(missing)'} is not the body's ${String(params[field])}`;
  }
  return null;
}

function decoded(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const encoded = /^=\?base64\?(.*)\?=$/.exec(header);
  return encoded ? Buffer.from(encoded[1] as string, 'base64').toString('utf8') : header;
}

function error(id: string | number | null, code: number, message: string): JsonObject {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

function reply(res: Response, status: number, body: JsonObject): void {
  res.status(status).json(body);
}
