/**
 * The HTTP transport (SPEC §10): Streamable HTTP at /mcp, legacy HTTP+SSE at GET /sse + POST /messages, and
 * GET /healthz, on one port. With tokens every request needs `Authorization: Bearer <token>` and acts as the
 * token's agent; without tokens only loopback binds are allowed and every session acts as `--as`.
 */
import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { LOOPBACK_HOSTS, isLoopbackAddress } from '../config.js';
import { ConfigError, errorMessage } from '../errors.js';
import { ModernFront } from '../mcp/modern/front.js';
import { createServer } from '../mcp/server.js';
import type { ServerDeps } from '../mcp/server.js';
import { VERSION } from '../version.js';
import { bearerAuth, noOAuthDiscovery } from './bearer-auth.js';
import { boardRoutes } from './board-routes.js';
import { InMemoryEventStore } from './event-store.js';
import { HttpSessions } from './http-sessions.js';
import { isModernPost, modernPost } from './modern-http.js';
import { SSE_POLL_AFTER_MS, SSE_RETRY_MS, closeLongCallStream } from './sse-polling.js';

/** SPEC §10: request body limit. */
export const BODY_LIMIT = '4mb';

const ANY_HOST = new Set(['0.0.0.0', '::', '[::]']);

export interface HttpOptions {
  host: string;
  port: number;
  /** `--as`: the identity of every session when there are no tokens. */
  agentId: string;
  /** token → agent id, or null. */
  tokens: Map<string, string> | null;
  /** `--admin-token`: sees every task on the board. */
  adminToken?: string | null;
  /** `--max-sessions`: open sessions per agent (default 64). */
  maxSessions?: number;
  /** `--session-idle-timeout` in ms: sessions idle this long are closed (default 30 min). */
  sessionIdleMs?: number;
  /** Resolves the bind host (tests inject one); default `dns.lookup` with every address. */
  lookup?: (host: string) => Promise<LookupAddress[]>;
  /** SEP-1699: a call's POST stream is closed after this many ms and the client resumes it (default 30 s). */
  ssePollAfterMs?: number;
}

export interface RunningHttp {
  /** The bound address, e.g. http://127.0.0.1:3000 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttp(deps: ServerDeps, options: HttpOptions): Promise<RunningHttp> {
  const address = await bindAddress(options);
  const allowedHosts = new Set(LOOPBACK_HOSTS);
  allowedHosts.add(options.host.toLowerCase());
  const anyHost = ANY_HOST.has(options.host);

  const sessions = new HttpSessions({
    maxPerAgent: options.maxSessions ?? 64,
    idleMs: options.sessionIdleMs ?? 30 * 60 * 1000,
    log: deps.log,
  });
  const streamable = new Map<string, StreamableHTTPServerTransport>();
  const legacy = new Map<string, SSEServerTransport>();
  const modern = new ModernFront(deps);

  const app = express();
  app.disable('x-powered-by');

  // DNS rebinding protection: the Host (and Origin, when a browser sends one) must name this server (403).
  app.use((req, res, next) => {
    if (anyHost) return next();
    const host = hostnameOf(req.headers.host);
    if (host === null || !allowedHosts.has(host))
      return rpcError(res, 403, `Forbidden: host ${req.headers.host ?? '(none)'} not allowed`);
    // `Origin: null` (a sandboxed frame, a file: page, a redirect) names no site, so no site of ours either.
    const origin = req.headers.origin;
    if (origin !== undefined) {
      const originHost = originHostname(origin);
      if (originHost === null || !allowedHosts.has(originHost))
        return rpcError(res, 403, `Forbidden: origin ${origin} not allowed`);
    }
    next();
  });

  // The task board at / and /board/api/ (SPEC §12): the page loads without a token and asks for one.
  app.use(boardRoutes(deps, options));

  // OAuth discovery answers 404 (no token needed), so clients stop looking for a login; then the bearer token
  // decides who the caller is (401 otherwise).
  app.use(noOAuthDiscovery);
  app.use(bearerAuth(options.tokens, options.agentId));

  // SPEC §10: with tokens, every request needs one, health checks included.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: VERSION, sessions: sessions.size });
  });

  app.use(express.json({ limit: BODY_LIMIT }));

  app.post('/mcp', async (req, res) => {
    const agentId = res.locals.agentId as string;
    // MCP 2026-07-28: stateless, no session; every other POST is 2025-11-25's.
    if (isModernPost(req)) return modernPost(modern, req, res, agentId);
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId, 'streamable', agentId) && streamable.get(sessionId);
      if (!transport) return rpcError(res, 404, 'Session not found');
      sessions.track(sessionId, res);
      closeLongCallStream(transport, req, res, options.ssePollAfterMs ?? SSE_POLL_AFTER_MS);
      return transport.handleRequest(req, res, req.body);
    }
    if (!isInitializeRequest(req.body)) {
      return rpcError(res, 400, 'Bad Request: no mcp-session-id header; start a session with initialize');
    }
    const release = sessions.reserve(agentId);
    if (!release) return rpcError(res, 429, sessions.limitMessage(agentId));
    try {
      const server = createServer(deps, agentId);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: new InMemoryEventStore(),
        retryInterval: SSE_RETRY_MS,
        onsessioninitialized: (id) => {
          streamable.set(id, transport);
          sessions.add(id, { kind: 'streamable', agentId, server, close: () => transport.close() });
          release();
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) {
          streamable.delete(transport.sessionId);
          sessions.delete(transport.sessionId);
        }
        void server.close();
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } finally {
      release();
    }
  });

  const existingSession = async (req: Request, res: Response) => {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId !== 'string') return rpcError(res, 400, 'Bad Request: missing mcp-session-id header');
    const transport = sessions.get(sessionId, 'streamable', res.locals.agentId as string) && streamable.get(sessionId);
    if (!transport) return rpcError(res, 404, 'Session not found');
    sessions.track(sessionId, res);
    await transport.handleRequest(req, res);
  };
  app.get('/mcp', existingSession);
  app.delete('/mcp', existingSession);

  // Legacy HTTP+SSE (protocol 2024-11-05): the stream on GET /sse, client messages on POST /messages.
  app.get('/sse', async (_req, res) => {
    const agentId = res.locals.agentId as string;
    const release = sessions.reserve(agentId);
    if (!release) return rpcError(res, 429, sessions.limitMessage(agentId));
    const transport = new SSEServerTransport('/messages', res);
    const server = createServer(deps, agentId);
    legacy.set(transport.sessionId, transport);
    sessions.add(transport.sessionId, { kind: 'legacy', agentId, server, close: () => transport.close() });
    release();
    sessions.track(transport.sessionId, res); // the stream: busy for as long as it is open
    res.on('close', () => {
      legacy.delete(transport.sessionId);
      sessions.delete(transport.sessionId);
      void server.close();
    });
    await server.connect(transport);
  });
  app.post('/messages', async (req, res) => {
    const sessionId = req.query.sessionId;
    if (typeof sessionId !== 'string') return rpcError(res, 400, 'Bad Request: missing sessionId query parameter');
    const transport = sessions.get(sessionId, 'legacy', res.locals.agentId as string) && legacy.get(sessionId);
    if (!transport) return rpcError(res, 404, 'Session not found');
    await transport.handlePostMessage(req, res, req.body);
  });

  // Errors: body too large (413), malformed JSON (400), anything else (-32603, 500).
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    if (res.headersSent) return;
    if (status === 413) return rpcError(res, 413, `Payload Too Large: the request body limit is 4 MiB`);
    if (status === 400) return rpcError(res, 400, `Parse error: ${errorMessage(error)}`, -32700);
    deps.log.error('http request failed', { error: errorMessage(error) });
    return rpcError(res, 500, 'Internal error', -32603);
  });

  const httpServer = await listen(app, address, options.port);
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    async close() {
      await modern.close();
      await sessions.close();
      streamable.clear();
      legacy.clear();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}

/**
 * The address to bind: the host's first address once resolved. SPEC §10: without tokens every one of its
 * addresses must be loopback (`127.example` is a name like any other, not a loopback address).
 */
async function bindAddress(options: HttpOptions): Promise<string> {
  let addresses: LookupAddress[];
  try {
    addresses = await (options.lookup ?? ((host) => dnsLookup(host, { all: true })))(options.host);
  } catch (error) {
    throw new ConfigError(`cannot listen on ${options.host}: the name does not resolve (${errorMessage(error)})`);
  }
  const first = addresses[0];
  if (!first) throw new ConfigError(`cannot listen on ${options.host}: the name resolves to no address`);
  const outside = addresses.filter((a) => !isLoopbackAddress(a.address)).map((a) => a.address);
  if (outside.length > 0 && options.tokens === null) {
    throw new ConfigError(
      `refusing to listen on ${options.host} without --tokens: it resolves to ${outside.join(', ')}, not loopback; ` +
        `anyone who can reach it could act as ${options.agentId}; bind to 127.0.0.1 or give --tokens`,
    );
  }
  return first.address;
}

function listen(app: express.Express, host: string, port: number): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error) => reject(new ConfigError(`cannot listen on ${host}:${port}: ${error.message}`)));
  });
}

function rpcError(res: Response, status: number, message: string, code = -32000): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

function hostnameOf(host: string | undefined): string | null {
  if (!host) return null;
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function originHostname(origin: string): string | null {
  try {
    return new URL(origin).hostname.toLowerCase();
  } catch {
    return null;
  }
}
