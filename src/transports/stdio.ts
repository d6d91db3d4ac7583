/**
 * The stdio transport, acting as `--as`: 2025-11-25 clients get one MCP session on stdin/stdout, as before; a line
 * that carries the 2026-07-28 envelope is answered by the modern front instead, statelessly (issue 14). Both may
 * share the stream; every line written is one whole message, and stdout carries nothing else.
 */
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ModernFront } from '../mcp/modern/front.js';
import { META, claimsModern, isObject } from '../mcp/modern/protocol.js';
import type { JsonObject, RequestId } from '../mcp/modern/protocol.js';
import { createServer } from '../mcp/server.js';
import type { ServerDeps } from '../mcp/server.js';

export interface RunningTransport {
  /** Resolves when the client goes away (stdin closed). */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

export async function startStdio(deps: ServerDeps, agentId: string): Promise<RunningTransport> {
  // The protocol's own stream: only whole JSON-RPC messages are written to it, here and by the SDK's transport.
  // eslint-disable-next-line no-restricted-properties
  const stdout = process.stdout;
  const server = createServer(deps, agentId);
  const legacyIn = new PassThrough();
  const transport = new StdioServerTransport(legacyIn, stdout);
  const modern = new ModernFront(deps);
  /** Modern requests in flight, by id: `notifications/cancelled` aborts one (a listen stream ends so). */
  const inflight = new Map<RequestId, AbortController>();
  const write = (message: JsonObject) => stdout.write(`${JSON.stringify(message)}\n`);

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    // Only a line that names the envelope's key (or may cancel a modern request) is parsed here; every other goes
    // to the 2025 session untouched.
    const ours = line.includes(META.protocolVersion) || (inflight.size > 0 && line.includes('notifications/cancelled'));
    const message: unknown = ours ? parse(line) : undefined;
    if (isObject(message) && message.method === 'notifications/cancelled' && isObject(message.params)) {
      const cancelled = inflight.get(message.params.requestId as RequestId);
      if (cancelled) return cancelled.abort();
    }
    if (!claimsModern(message)) {
      legacyIn.write(`${line}\n`);
      return;
    }
    const request = message as JsonObject;
    const id = typeof request.id === 'string' || typeof request.id === 'number' ? request.id : null;
    const abort = new AbortController();
    if (id !== null) inflight.set(id, abort);
    void modern
      .respond(request, {
        agentId,
        signal: abort.signal,
        notify: (method, params) => write({ jsonrpc: '2.0', method, params }),
      })
      .then((answer) => {
        if (id !== null) inflight.delete(id);
        // A cancelled request gets no answer, except a listen stream, whose answer is its graceful end.
        if (answer.body && (!abort.signal.aborted || request.method === 'subscriptions/listen')) write(answer.body);
      });
  });
  const ended = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  await server.connect(transport);
  return {
    ended,
    async close() {
      lines.close();
      await modern.close();
      await server.close();
    },
  };
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
