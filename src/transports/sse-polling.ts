/**
 * SSE polling for 2025-11-25 clients over Streamable HTTP (SEP-1699). Every POST stream of a session opens with a
 * priming event that has an id and a `retry` field (the SDK writes it, given an event store and `retryInterval`);
 * and a call still running after `afterMs` has its POST stream closed by the server, so no proxy holds an idle
 * connection for the length of a dispatch. The client then resumes with `GET` + `Last-Event-ID` after `retry`
 * milliseconds, and the event store replays what was sent meanwhile, the call's answer included.
 */
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';

/** `retry:` on the priming event: how long a client waits before resuming a closed stream. */
export const SSE_RETRY_MS = 2000;
/** A call's POST stream is closed after this long (the client resumes it). */
export const SSE_POLL_AFTER_MS = 30_000;

/** The first version whose clients resume a stream the server closed (SEP-1699). */
const POLLING_VERSION = '2025-11-25';

/** Closes the POST stream of a long `tools/call` after `afterMs`, for clients that can resume it. */
export function closeLongCallStream(
  transport: StreamableHTTPServerTransport,
  req: Request,
  res: Response,
  afterMs: number,
): void {
  const message = req.body as { method?: unknown; id?: unknown } | undefined;
  const version = req.headers['mcp-protocol-version'];
  if (message?.method !== 'tools/call' || (typeof message.id !== 'string' && typeof message.id !== 'number')) return;
  if (typeof version !== 'string' || version < POLLING_VERSION) return;
  const id = message.id;
  const timer = setTimeout(() => {
    if (!res.writableEnded) transport.closeSSEStream(id);
  }, afterMs);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}
