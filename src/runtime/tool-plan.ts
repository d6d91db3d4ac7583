/**
 * Which tools an agent gets (SPEC §3, §8), decided from its definition alone, without starting anything: Baton's
 * own by tool scope, the workspace tools, and MCP servers' tools, read from `tools:`, `disallowedTools:` and
 * `mcpServers:` as Claude Code reads them. Omitted `tools:` = everything the scope allows; listed = exactly those.
 * Every name that matches nothing becomes a problem of the agent (shown by `baton agents`, `list_agents`, the log);
 * the agent still runs with the rest.
 */
import type { AgentDefinition } from '../agents/definition.js';
import type { McpServerRef } from '../tools/mcp-client/pool.js';
import { McpServerConfigSchema, describeServerError } from '../tools/mcp-client/server-config.js';
import { mcpToolName, parseMcpToolName, sanitizeName } from '../tools/mcp-client/tool-names.js';
import {
  WORKSPACE_TOOLS,
  workspaceTool,
  type WorkspacePermission,
  type WorkspaceToolKind,
} from '../tools/workspace/index.js';

/** Baton's own tools a `restricted` agent has (SPEC §8). */
export const RESTRICTED_TOOLS: readonly string[] = [
  'report_task_progress',
  'complete_task',
  'fail_task',
  'send_message',
  'read_inbox',
  'remember',
  'recall',
];
/** Baton's own tools a `shared` agent has. */
export const SHARED_TOOLS: readonly string[] = [
  ...RESTRICTED_TOOLS,
  'subagent_dispatch',
  'delegate_task',
  'wait_for_tasks',
  'merge',
  'list_tasks',
  'get_task',
  'cancel_task',
];

/** Claude Code's orchestration names that mean a Baton tool. */
export const CLAUDE_CODE_ALIASES: Readonly<Record<string, string>> = {
  Task: 'subagent_dispatch',
  Agent: 'subagent_dispatch',
};

/** Claude Code tools Baton has no counterpart for: named in the problem so the user knows what to do. */
const CLAUDE_CODE_ONLY = new Set([
  'WebFetch',
  'WebSearch',
  'TodoWrite',
  'TodoRead',
  'NotebookEdit',
  'NotebookRead',
  'MultiEdit',
  'BashOutput',
  'KillShell',
  'KillBash',
  'ExitPlanMode',
  'SlashCommand',
  'Skill',
]);

/** What the plan needs to know about MCP servers: the configured ones, and what a started one offers. */
export interface McpCatalog {
  configured(): ReadonlyMap<string, unknown>;
  configuredRef(name: string): McpServerRef | undefined;
  inlineRef(name: string, config: McpServerRefConfig): McpServerRef;
  /** The tool names of a server already started, else null (then a tool name cannot be checked yet). */
  knownToolNames(ref: McpServerRef): string[] | null;
}
type McpServerRefConfig = McpServerRef['config'];

/** One MCP server a run uses, and which of its tools. */
export interface McpSelection {
  ref: McpServerRef;
  /** null: every tool. */
  only: Set<string> | null;
  /** Tools taken away by `disallowedTools:`. */
  except: Set<string>;
}

/** The tools of one agent. */
export interface ToolPlan {
  baton: string[];
  workspace: WorkspaceToolKind[];
  mcp: McpSelection[];
  /** What the agent gets, as names (a whole server as `mcp__<server>__*`): what `baton agents` shows. */
  names: string[];
  problems: string[];
}

export interface ToolPlanContext {
  permissions: ReadonlySet<WorkspacePermission>;
  mcp: McpCatalog;
}

const NEEDS: Record<WorkspacePermission, string> = {
  write: 'changes files',
  bash: 'runs commands',
};

/** The plan for `agent`. Pure apart from asking `ctx.mcp` what it knows. */
export function planTools(agent: AgentDefinition, ctx: ToolPlanContext): ToolPlan {
  const problems: string[] = [];
  const scope =
    agent.tool_scope === 'shared' ? SHARED_TOOLS : agent.tool_scope === 'restricted' ? RESTRICTED_TOOLS : [];
  const refused = new Set<string>();
  const servers = agentServers(agent, ctx, problems, refused);
  const mcp = new Map<string, McpSelection>();
  const select = (ref: McpServerRef, tool: string | null) => {
    const current = mcp.get(ref.name) ?? { ref, only: new Set<string>(), except: new Set<string>() };
    if (tool === null) current.only = null;
    else current.only?.add(tool);
    mcp.set(ref.name, current);
  };
  const baton: string[] = [];
  const workspace: WorkspaceToolKind[] = [];

  if (agent.tool_scope === 'isolated') {
    if (agent.tools?.length)
      problems.push(`tools: tool_scope isolated gives no tools; not offered: ${agent.tools.join(', ')}`);
    return { baton, workspace, mcp: [], names: [], problems };
  }

  if (agent.tools === undefined) {
    baton.push(...scope);
    if (agent.tool_scope === 'shared') workspace.push(...WORKSPACE_TOOLS.filter((k) => k.needs === null));
    const whole =
      agent.mcp_servers !== undefined ? [...servers.values()] : agent.tool_scope === 'shared' ? allConfigured(ctx) : [];
    for (const ref of whole) select(ref, null);
  } else {
    const missing = new Map<string, string[]>();
    for (const listed of agent.tools) {
      const name = CLAUDE_CODE_ALIASES[listed] ?? listed;
      const alias = name !== listed ? ` (${listed})` : '';
      if (SHARED_TOOLS.includes(name)) {
        if (scope.includes(name)) baton.push(name);
        else problems.push(`tools: ${name}${alias} needs tool_scope: shared; not offered`);
        continue;
      }
      const kind = workspaceTool(name);
      if (kind) {
        if (kind.needs && !ctx.permissions.has(kind.needs)) {
          problems.push(
            `tools: ${kind.name} ${NEEDS[kind.needs]}: offered only with the operator's --allow ${kind.needs} (an agent file alone cannot grant it)`,
          );
        } else workspace.push(kind);
        continue;
      }
      const rule = /^([A-Za-z]+)\((.*)\)$/.exec(name);
      if (rule) {
        problems.push(
          `tools: ${name}: Claude Code's per-command rules are not supported; ${rule[1]} is not offered for it`,
        );
        continue;
      }
      const ref = parseMcpToolName(name, [...servers.keys(), ...ctx.mcp.configured().keys()]);
      if (ref) {
        const server = servers.get(ref.server) ?? ctx.mcp.configuredRef(ref.server);
        if (!server) {
          // A server refused under mcpServers: is reported there already.
          if (!refused.has(ref.server)) missing.set(ref.server, [...(missing.get(ref.server) ?? []), name]);
          continue;
        }
        const known = ctx.mcp.knownToolNames(server);
        if (ref.tool !== null && known && !known.includes(ref.tool)) {
          problems.push(
            `tools: ${name}: MCP server '${ref.server}' has no tool '${ref.tool}' (it has ${known.join(', ')})`,
          );
          continue;
        }
        select(server, ref.tool);
        continue;
      }
      problems.push(
        CLAUDE_CODE_ONLY.has(name)
          ? `tools: ${name} is a Claude Code tool Baton does not have; give the agent an MCP server that does it`
          : `tools: ${name}: no such tool`,
      );
    }
    for (const [server, names] of missing) {
      problems.push(
        `tools: ${names.join(', ')}: no MCP server '${server}' is configured (mcpServers in baton.config.json, --mcp-config, or the agent's mcpServers:)`,
      );
    }
    for (const [name] of servers) {
      if (!mcp.has(name)) {
        problems.push(
          `mcpServers: '${name}' is given but tools: lists none of its tools; add mcp__${name}__* to use them`,
        );
      }
    }
  }

  for (const listed of agent.disallowed_tools ?? []) {
    const name = CLAUDE_CODE_ALIASES[listed] ?? listed;
    const kind = workspaceTool(name);
    const ref = parseMcpToolName(name, [...servers.keys(), ...ctx.mcp.configured().keys()]);
    if (SHARED_TOOLS.includes(name)) remove(baton, name);
    else if (kind) remove(workspace, kind);
    else if (ref && mcp.has(ref.server)) {
      if (ref.tool === null) mcp.delete(ref.server);
      else mcp.get(ref.server)!.except.add(ref.tool);
    } else if (!ref && !CLAUDE_CODE_ONLY.has(name)) problems.push(`disallowedTools: ${listed}: no such tool`);
  }

  const unique = <T>(items: T[]) => [...new Set(items)];
  const selections = [...mcp.values()];
  const names = [
    ...unique(baton),
    ...unique(workspace).map((k) => k.name),
    ...selections.flatMap((s) => {
      if (s.only !== null) return [...s.only].filter((t) => !s.except.has(t)).map((t) => mcpToolName(s.ref.name, t));
      const except = s.except.size > 0 ? ` except ${[...s.except].join(', ')}` : '';
      return [`mcp__${sanitizeName(s.ref.name)}__*${except}`];
    }),
  ];
  return { baton: unique(baton), workspace: unique(workspace), mcp: selections, names, problems };
}

/** The servers an agent's `mcpServers:` names or defines (inline ones only with `--allow bash`). */
function agentServers(
  agent: AgentDefinition,
  ctx: ToolPlanContext,
  problems: string[],
  refused: Set<string>,
): Map<string, McpServerRef> {
  const servers = new Map<string, McpServerRef>();
  for (const entry of agent.mcp_servers ?? []) {
    if (typeof entry === 'string') {
      const ref = ctx.mcp.configuredRef(entry);
      if (ref) servers.set(entry, ref);
      else {
        refused.add(entry);
        const configured = [...ctx.mcp.configured().keys()];
        problems.push(
          `mcpServers: '${entry}' is not a configured MCP server (${configured.length ? `configured: ${configured.join(', ')}` : 'none is configured'})`,
        );
      }
      continue;
    }
    const parsed = McpServerConfigSchema.safeParse(entry.config);
    if (!parsed.success) {
      refused.add(entry.name);
      problems.push(`mcpServers: ${entry.name}: ${describeServerError(parsed.error)}`);
      continue;
    }
    if (!ctx.permissions.has('bash')) {
      refused.add(entry.name);
      problems.push(
        `mcpServers: ${entry.name}: an agent's own server runs a program or reaches the network unreviewed; Baton starts it only with the operator's --allow bash`,
      );
      continue;
    }
    servers.set(entry.name, ctx.mcp.inlineRef(entry.name, parsed.data));
  }
  return servers;
}

function allConfigured(ctx: ToolPlanContext): McpServerRef[] {
  return [...ctx.mcp.configured().keys()].flatMap((name) => {
    const ref = ctx.mcp.configuredRef(name);
    return ref ? [ref] : [];
  });
}

function remove<T>(items: T[], item: T): void {
  for (let i = items.indexOf(item); i !== -1; i = items.indexOf(item)) items.splice(i, 1);
}
