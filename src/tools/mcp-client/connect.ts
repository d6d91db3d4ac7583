/**
 * Opens an MCP client session to one configured server: a stdio server in its own process group, or an HTTP server
 * over Streamable HTTP, falling back to the legacy HTTP+SSE transport when the server does not speak it (MCP
 * 2025-11-25, backwards compatibility), or SSE only for `type: "sse"`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../../version.js';
import { isStdio, type HttpServerConfig, type McpServerConfig } from './server-config.js';
import { GroupStdioTransport } from './stdio-transport.js';

/** A connected client and its transport. */
export interface OpenSession {
  client: Client;
  transport: Transport;
  /** Which transport was used: stdio, streamable-http or sse. */
  kind: 'stdio' | 'streamable-http' | 'sse';
}

export interface OpenOptions {
  /** Called when the server's tool list changed (notifications/tools/list_changed), with the new list. */
  onToolsChanged: (tools: Tool[]) => void;
  /** Each line of a stdio server's stderr. */
  onStderr?: (line: string) => void;
  /** Time to connect and initialize. */
  timeoutMs: number;
  graceMs?: number;
}

/** Connects to `config` (already `${VAR}`-expanded); throws with the reason when it cannot. */
export async function openSession(config: McpServerConfig, options: OpenOptions): Promise<OpenSession> {
  if (isStdio(config)) {
    const transport = new GroupStdioTransport({
      command: config.command,
      args: config.args,
      env: config.env,
      cwd: config.cwd,
      ...(options.onStderr ? { onStderr: options.onStderr } : {}),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
    return { client: await connect(transport, options), transport, kind: 'stdio' };
  }
  const http = config as HttpServerConfig;
  const url = new URL(http.url);
  const requestInit: RequestInit = { headers: http.headers };
  if (http.type !== 'sse') {
    const transport = new StreamableHTTPClientTransport(url, { requestInit });
    try {
      return { client: await connect(transport, options), transport, kind: 'streamable-http' };
    } catch (error) {
      await transport.close().catch(() => undefined);
      // A server that only speaks the old transport answers the POST with a 4xx: then try SSE (the spec's fallback).
      // With an explicit "type": "http", or when the server is not there at all, SSE would not help.
      if (http.type !== undefined || !isClientErrorStatus(error)) throw error;
    }
  }
  const transport = new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: withHeaders(http.headers) } });
  return { client: await connect(transport, options), transport, kind: 'sse' };
}

async function connect(transport: Transport, options: OpenOptions): Promise<Client> {
  const client = new Client(
    { name: 'baton', title: 'Baton', version: VERSION },
    {
      capabilities: {},
      listChanged: {
        tools: {
          onChanged: (error, tools) => {
            if (!error && tools) options.onToolsChanged(tools);
          },
        },
      },
    },
  );
  await client.connect(transport, { timeout: options.timeoutMs });
  return client;
}

/** Whether a Streamable HTTP failure was a 4xx answer (the server is up but may speak only SSE). */
function isClientErrorStatus(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && code >= 400 && code < 500;
}

/** The EventSource of the SSE transport sends no custom headers by itself. */
function withHeaders(headers: Record<string, string>) {
  return (url: string | URL, init?: RequestInit) =>
    fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), ...headers } });
}
