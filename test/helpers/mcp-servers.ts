/**
 * Real MCP servers from npm (devDependencies) as Baton starts them: `node` + the package's bin file from
 * node_modules, so the tests need no network. And a small SDK McpServer over HTTP on port 0 for the HTTP client path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

const modules = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/@modelcontextprotocol');

/** `mcpServers` entries for the official filesystem server (over `roots`) and the "everything" test server. */
export const realServers = {
  filesystem: (...roots: string[]) => ({
    command: process.execPath,
    args: [path.join(modules, 'server-filesystem', 'dist', 'index.js'), ...roots],
  }),
  everything: () => ({
    command: process.execPath,
    args: [path.join(modules, 'server-everything', 'dist', 'index.js'), 'stdio'],
  }),
};

/** A test MCP server over HTTP: a `slow` tool that records when its request is cancelled, and `add`. */
export interface HttpTestServer {
  url: string;
  /** How many `slow` calls saw their request aborted (notifications/cancelled reached the server). */
  readonly cancelled: number;
  /** Resolves once a `slow` call is running. */
  slowStarted(): Promise<void>;
  close(): Promise<void>;
}

function testServer(state: { cancelled: number; onSlow: () => void }): McpServer {
  const server = new McpServer({ name: 'http-test', version: '1.0.0' });
  server.registerTool(
    'add',
    { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  server.registerTool(
    'grow',
    { description: 'Adds a tool "grown" (the server then sends list_changed).' },
    async () => {
      server.registerTool('grown', { description: 'A tool added at run time.' }, async () => ({
        content: [{ type: 'text', text: 'grown up' }],
      }));
      return { content: [{ type: 'text', text: 'added' }] };
    },
  );
  server.registerTool('slow', { description: 'Takes a minute.' }, async (extra) => {
    state.onSlow();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      extra.signal.addEventListener('abort', () => {
        state.cancelled++;
        clearTimeout(timer);
        resolve();
      });
    });
    return { content: [{ type: 'text', text: 'done' }] };
  });
  return server;
}

/**
 * Starts the test server on 127.0.0.1 port 0: Streamable HTTP at /mcp (stateful sessions), or, with `legacySse`,
 * only the old HTTP+SSE transport (GET /sse + POST /messages), which answers a Streamable HTTP POST with 405.
 */
export async function startHttpTestServer(options: { legacySse?: boolean } = {}): Promise<HttpTestServer> {
  const state = { cancelled: 0, onSlow: () => undefined as void };
  const waiting: Array<() => void> = [];
  state.onSlow = () => waiting.splice(0).forEach((resolve) => resolve());
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const sse = new Map<string, SSEServerTransport>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (options.legacySse) {
      if (req.method === 'GET' && url.pathname === '/sse') {
        const transport = new SSEServerTransport('/messages', res);
        sse.set(transport.sessionId, transport);
        res.on('close', () => sse.delete(transport.sessionId));
        await testServer(state).connect(transport);
        return;
      }
      if (req.method === 'POST' && url.pathname === '/messages') {
        const transport = sse.get(url.searchParams.get('sessionId') ?? '');
        if (!transport) return void res.writeHead(404).end();
        return void (await transport.handlePostMessage(req, res));
      }
      return void res.writeHead(405).end();
    }
    if (url.pathname !== '/mcp') return void res.writeHead(404).end();
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!transport) {
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, transport!),
      });
      await testServer(state).connect(transport);
    }
    await transport.handleRequest(req, res);
  };
  const http: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${options.legacySse ? '/sse' : '/mcp'}`,
    get cancelled() {
      return state.cancelled;
    },
    slowStarted: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
