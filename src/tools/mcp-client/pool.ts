/**
 * Baton as an MCP client (SPEC §8): the servers of `mcpServers` (and agents' inline ones), one connection each,
 * shared by every run that uses them, all closed at shutdown. Their tools reach a subagent as `AgentTool`s named
 * `mcp__<server>__<tool>`.
 */
import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log.js';
import type { AgentTool } from '../agent-tool.js';
import { DEFAULT_MCP_TIMINGS, McpConnection, type McpTimings } from './connection.js';
import type { McpServerConfig, McpServers } from './server-config.js';
import { mcpToolName } from './tool-names.js';

/** A server a run may use: a configured one (key = its name) or an agent's inline one (key = its definition). */
export interface McpServerRef {
  name: string;
  config: McpServerConfig;
  key: string;
}

export interface McpServerPoolOptions {
  servers: McpServers;
  log: Logger;
  /** Where `${VAR}` in server configs is read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  timings?: Partial<McpTimings>;
}

export class McpServerPool {
  private readonly connections = new Map<string, McpConnection>();
  private readonly timings: McpTimings;
  private closed = false;

  constructor(private readonly options: McpServerPoolOptions) {
    this.timings = { ...DEFAULT_MCP_TIMINGS, ...options.timings };
  }

  /** The configured servers that are not disabled, by name. */
  configured(): Map<string, McpServerConfig> {
    return new Map(Object.entries(this.options.servers).filter(([, config]) => config.disabled !== true));
  }

  /** The ref of a configured server, or undefined. */
  configuredRef(name: string): McpServerRef | undefined {
    const config = this.configured().get(name);
    return config ? { name, config, key: name } : undefined;
  }

  /** The ref of an agent's inline server: identical definitions share one process. */
  inlineRef(name: string, config: McpServerConfig): McpServerRef {
    const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
    return { name, config, key: `inline:${name}:${hash}` };
  }

  /** The connection for `ref`, made on first use (the server itself starts on its first call or listing). */
  connection(ref: McpServerRef): McpConnection {
    let connection = this.connections.get(ref.key);
    if (!connection) {
      connection = new McpConnection(ref.name, ref.config, {
        log: this.options.log,
        env: this.options.env ?? process.env,
        timings: this.timings,
      });
      if (this.closed) void connection.close();
      this.connections.set(ref.key, connection);
    }
    return connection;
  }

  /** Tool names of `ref` seen so far, without starting it (for `list_agents`). */
  knownToolNames(ref: McpServerRef): string[] | null {
    return (
      this.connections
        .get(ref.key)
        ?.knownTools()
        ?.map((t) => t.name) ?? null
    );
  }

  /** Closes every connection, ending every server process; connections made later are closed at once. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.connections.values()].map((c) => c.close()));
  }
}

/** Adapters by tool list: a run asks before every turn, and the list only changes on list_changed. */
const adapted = new WeakMap<Tool[], Map<string, AgentTool>>();

/**
 * The tools of a started server as `AgentTool`s, filtered by `wanted` (the server's own tool name). Read the list
 * again before each turn: it follows the server's `notifications/tools/list_changed`.
 */
export function mcpAgentTools(connection: McpConnection, wanted: (tool: string) => boolean): AgentTool[] {
  const tools = connection.knownTools();
  if (!tools) return [];
  let byName = adapted.get(tools);
  if (!byName) adapted.set(tools, (byName = new Map()));
  const out: AgentTool[] = [];
  for (const tool of tools) {
    if (!wanted(tool.name)) continue;
    let agentTool = byName.get(tool.name);
    if (!agentTool) {
      agentTool = {
        spec: {
          name: mcpToolName(connection.name, tool.name),
          description: tool.description ?? tool.title ?? `${tool.name} (MCP server ${connection.name})`,
          inputSchema: tool.inputSchema as Record<string, unknown>,
        },
        execute: (args, signal) => connection.call(tool.name, args, signal),
      };
      byName.set(tool.name, agentTool);
    }
    out.push(agentTool);
  }
  return out;
}
