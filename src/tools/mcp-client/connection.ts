/**
 * One MCP server as subagents use it (SPEC §8): started on first use, shared by every run, its tool list kept
 * current (`notifications/tools/list_changed`), restarted after a crash with exponential backoff (a clear tool error
 * meanwhile), closed at shutdown. Every call carries the run's abort signal and a per-call timeout.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { BatonError, CancelledError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ToolOutput } from '../agent-tool.js';
import { openSession, type OpenSession } from './connect.js';
import { toToolOutput } from './result.js';
import { expandServerConfig, isStdio, type McpServerConfig } from './server-config.js';
import { GroupStdioTransport } from './stdio-transport.js';

/** A server that cannot be used right now (not started, crashed, shutting down): the model sees the message. */
export class McpServerError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('mcp_server', message, options);
  }
}

/** Timings; tests shorten them. */
export interface McpTimings {
  /** First restart delay after a crash; doubles with each crash in a row. Default 1000 ms. */
  restartBaseMs: number;
  restartMaxMs: number;
  /** A server up this long before it crashed starts the backoff over. */
  stableMs: number;
  connectTimeoutMs: number;
  /** Per-call timeout unless the server's `timeoutSeconds` says otherwise. */
  callTimeoutMs: number;
  /** Grace between closing stdin, SIGTERM and SIGKILL. */
  graceMs: number;
}

export const DEFAULT_MCP_TIMINGS: McpTimings = {
  restartBaseMs: 1000,
  restartMaxMs: 30_000,
  stableMs: 60_000,
  connectTimeoutMs: 30_000,
  callTimeoutMs: 120_000,
  graceMs: 2000,
};

type State =
  | { kind: 'idle' }
  | { kind: 'starting'; ready: Promise<Ready> }
  | Ready
  | { kind: 'down'; reason: string; retryAt: number }
  | { kind: 'closed' };

interface Ready {
  kind: 'ready';
  session: OpenSession;
  since: number;
}

export class McpConnection {
  private state: State = { kind: 'idle' };
  private toolList: Tool[] | null = null;
  private crashes = 0;
  private stderrTail: string[] = [];

  constructor(
    /** The name subagents know the server by. */
    readonly name: string,
    private readonly config: McpServerConfig,
    private readonly options: { log: Logger; env: Readonly<Record<string, string | undefined>>; timings: McpTimings },
  ) {}

  /** The tools of the server, starting it if needed. Throws `McpServerError` when it cannot be reached. */
  async tools(): Promise<Tool[]> {
    await this.ready();
    return this.toolList ?? [];
  }

  /** The last tool list seen, without starting anything (null before the first start). */
  knownTools(): Tool[] | null {
    return this.toolList;
  }

  /** The server process id of a running stdio server. */
  get pid(): number | undefined {
    return this.state.kind === 'ready' && this.state.session.transport instanceof GroupStdioTransport
      ? this.state.session.transport.pid
      : undefined;
  }

  /** Calls `tool`; aborting `signal` cancels the request (the server gets notifications/cancelled). */
  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutput> {
    if (signal.aborted) throw new CancelledError();
    const { session } = await this.ready();
    const timeoutMs = this.config.timeoutSeconds
      ? this.config.timeoutSeconds * 1000
      : this.options.timings.callTimeoutMs;
    try {
      const result = await session.client.callTool({ name: tool, arguments: args }, undefined, {
        signal,
        timeout: timeoutMs,
        // A server that reports progress keeps the call alive; the run's deadline still bounds it (signal).
        resetTimeoutOnProgress: true,
        onprogress: () => undefined,
      });
      return toToolOutput(result as CallToolResult);
    } catch (error) {
      if (signal.aborted) throw new CancelledError(`${tool}: cancelled`);
      if (this.state.kind === 'down' || this.state.kind === 'closed') {
        throw new McpServerError(`MCP server '${this.name}' stopped during the call: ${this.downReason()}`, {
          cause: error,
        });
      }
      const message = errorMessage(error);
      if (/timed out/i.test(message)) {
        throw new McpServerError(`${tool} on MCP server '${this.name}' timed out after ${timeoutMs / 1000} s`, {
          cause: error,
        });
      }
      if (!isStdio(this.config) && isNetworkError(error)) this.markDown(session, `unreachable (${message})`);
      throw new McpServerError(`${tool} on MCP server '${this.name}' failed: ${message}`, { cause: error });
    }
  }

  /** Closes the session and ends the server's processes; later calls fail at once. */
  async close(): Promise<void> {
    const state = this.state;
    this.state = { kind: 'closed' };
    const session =
      state.kind === 'ready'
        ? state.session
        : state.kind === 'starting'
          ? await state.ready.then(
              (r) => r.session,
              () => null,
            )
          : null;
    if (session) await closeSession(session);
  }

  private ready(): Promise<Ready> {
    const state = this.state;
    switch (state.kind) {
      case 'ready':
        return Promise.resolve(state);
      case 'starting':
        return state.ready;
      case 'closed':
        return Promise.reject(new McpServerError(`MCP server '${this.name}' is closed: Baton is shutting down`));
      case 'down': {
        const wait = state.retryAt - Date.now();
        if (wait > 0) {
          return Promise.reject(
            new McpServerError(
              `MCP server '${this.name}' is down (${state.reason}); Baton restarts it in ${Math.ceil(wait / 1000)} s: try again then`,
            ),
          );
        }
        return this.start();
      }
      case 'idle':
        return this.start();
    }
  }

  private start(): Promise<Ready> {
    const { log, env, timings } = this.options;
    const restart = this.crashes > 0;
    const ready = (async (): Promise<Ready> => {
      this.stderrTail = [];
      let session: OpenSession;
      try {
        session = await openSession(expandServerConfig(this.config, env), {
          timeoutMs: timings.connectTimeoutMs,
          graceMs: timings.graceMs,
          onStderr: (line) => {
            this.stderrTail = [...this.stderrTail.slice(-4), line];
            log.debug(`mcp server ${this.name}: ${line}`);
          },
          onToolsChanged: (tools) => {
            this.toolList = tools;
            log.info(`MCP server '${this.name}' changed its tools`, { tools: tools.length });
          },
        });
        this.toolList = await listAllTools(session.client);
      } catch (error) {
        const reason = `could not start: ${errorMessage(error)}${this.stderrHint()}`;
        this.goDown(reason);
        throw new McpServerError(`MCP server '${this.name}' ${reason}`, { cause: error });
      }
      if (this.state.kind === 'closed') {
        await closeSession(session);
        throw new McpServerError(`MCP server '${this.name}' is closed: Baton is shutting down`);
      }
      const up: Ready = { kind: 'ready', session, since: Date.now() };
      // Client.onclose runs before the calls in flight are failed, so they see the server as down.
      session.client.onclose = () => this.markDown(session, this.exitReason(session));
      this.state = up;
      log.info(`MCP server '${this.name}' ${restart ? 'restarted' : 'started'}`, {
        transport: session.kind,
        tools: this.toolList.length,
      });
      return up;
    })();
    this.state = { kind: 'starting', ready };
    return ready;
  }

  /** The server went away on its own (crash, killed, network): down until the backoff passes. */
  private markDown(session: OpenSession, reason: string): void {
    if (this.state.kind !== 'ready' || this.state.session !== session) return;
    if (Date.now() - this.state.since >= this.options.timings.stableMs) this.crashes = 0;
    this.goDown(reason);
    void closeSession(session);
  }

  private goDown(reason: string): void {
    if (this.state.kind === 'closed') return;
    this.crashes++;
    const { restartBaseMs, restartMaxMs } = this.options.timings;
    const delay = Math.min(restartMaxMs, restartBaseMs * 2 ** (this.crashes - 1));
    this.state = { kind: 'down', reason, retryAt: Date.now() + delay };
    this.options.log.warn(`MCP server '${this.name}' is down: ${reason}; restarting on next use after ${delay} ms`);
  }

  private downReason(): string {
    return this.state.kind === 'down'
      ? `${this.state.reason}; Baton restarts it with backoff`
      : 'Baton is shutting down';
  }

  private exitReason(session: OpenSession): string {
    const exit = session.transport instanceof GroupStdioTransport ? session.transport.exit : null;
    if (!exit) return `the connection closed${this.stderrHint()}`;
    // A signal came from outside; an exit code is the server's own doing, and its last log line may say why.
    if (exit.signal) return `the process was killed by ${exit.signal}`;
    return `the process exited with code ${exit.code}${this.stderrHint()}`;
  }

  private stderrHint(): string {
    const last = this.stderrTail.at(-1);
    return last ? `; its last log line: ${last.slice(0, 300)}` : '';
  }
}

async function listAllTools(client: Client): Promise<Tool[]> {
  if (!client.getServerCapabilities()?.tools) return [];
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor && tools.length < 10_000);
  return tools;
}

async function closeSession(session: OpenSession): Promise<void> {
  session.client.onclose = undefined;
  await session.client.close().catch(() => undefined);
  await session.transport.close().catch(() => undefined);
}

function isNetworkError(error: unknown): boolean {
  const message = errorMessage(error);
  return error instanceof TypeError || /ECONNREFUSED|ECONNRESET|fetch failed|socket hang up/i.test(message);
}
