/**
 * createServer: one McpServer per connection, acting for one agent, over the shared parts built once.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentRegistry } from '../agents/registry.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ModelResolver } from '../providers/model-resolver.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { SubagentRuntime } from '../runtime/subagent-runtime.js';
import type { AgentToolCatalog } from '../runtime/tool-catalog.js';
import type { TaskService } from '../tasks/task-service.js';
import { VERSION } from '../version.js';
import type { DispatchContext } from './context.js';
import { BatonMcpTaskStore } from './mcp-task-store.js';
import { GuardedMcpServer } from './request-guard.js';
import { registerAgentResources, registerResources } from './resources.js';
import type { SessionRegistry } from './session-registry.js';
import { rootsOf, samplerOf } from './session-registry.js';
import * as cancelTask from './tools/cancel-task.js';
import * as completeTask from './tools/complete-task.js';
import * as delegateTask from './tools/delegate-task.js';
import * as failTask from './tools/fail-task.js';
import * as getTask from './tools/get-task.js';
import * as listAgents from './tools/list-agents.js';
import * as listTasks from './tools/list-tasks.js';
import * as merge from './tools/merge.js';
import * as readInbox from './tools/read-inbox.js';
import * as reportTaskProgress from './tools/report-task-progress.js';
import * as sendMessage from './tools/send-message.js';
import * as subagentDispatch from './tools/subagent-dispatch.js';
import * as waitForTasks from './tools/wait-for-tasks.js';

/** The parts shared by every connection. */
export interface ServerDeps {
  tasks: TaskService;
  sessions: SessionRegistry;
  runtime: SubagentRuntime;
  agents: AgentRegistry;
  providers: ProviderRegistry;
  defaultModel: string | null;
  models: ModelResolver;
  /** The tools each agent may have: what list_agents shows. */
  catalog: AgentToolCatalog;
  /** `--tools`: the tool names to publish, or null for all. */
  tools: ReadonlySet<string> | null;
  log: Logger;
}

const TASK_TOOLS = [
  delegateTask,
  reportTaskProgress,
  completeTask,
  failTask,
  listTasks,
  getTask,
  cancelTask,
  sendMessage,
  readInbox,
];

/** Tool groups `--tools` accepts besides tool names. */
export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  dispatch: [subagentDispatch.name, listAgents.name],
  tasks: TASK_TOOLS.map((t) => t.name),
  orchestration: [waitForTasks.name, merge.name],
};
export const TOOL_NAMES: readonly string[] = Object.values(TOOL_GROUPS).flat();

/** Expands `--tools` (names and group names) to tool names; an unknown one is a configuration error. */
export function resolveToolList(list: readonly string[] | null): Set<string> | null {
  if (list === null) return null;
  const names = new Set<string>();
  for (const item of list) {
    const group = Object.hasOwn(TOOL_GROUPS, item) ? TOOL_GROUPS[item] : undefined; // not "constructor"
    if (group) group.forEach((n) => names.add(n));
    else if (TOOL_NAMES.includes(item)) names.add(item);
    else {
      throw new ConfigError(
        `invalid --tools: unknown tool or group "${item}"; tools: ${TOOL_NAMES.join(', ')}; groups: ${Object.keys(TOOL_GROUPS).join(', ')}`,
      );
    }
  }
  return names;
}

const INSTRUCTIONS =
  'Baton lets agents hand work to each other. subagent_dispatch runs a defined agent on a task and waits for its ' +
  'answer; list_agents shows who is available. delegate_task gives a task to another agent and returns its id ' +
  '(fan out several, then wait_for_tasks and merge their results); ' +
  'the assignee uses report_task_progress, complete_task or fail_task. Follow tasks with get_task and list_tasks, ' +
  'stop them with cancel_task. Notifications about your tasks and messages from other agents arrive as log ' +
  'messages and stay in your inbox (read_inbox).';

/** Builds the MCP server for one connection acting as `agentId`. */
export function createServer(deps: ServerDeps, agentId: string): McpServer {
  const taskStore = new BatonMcpTaskStore(agentId, deps.tasks, (task) =>
    subagentDispatch.dispatchResult(task, task.session_id),
  );
  const server = new GuardedMcpServer(
    { name: 'baton', title: 'Baton', version: VERSION },
    {
      capabilities: {
        logging: {},
        resources: { subscribe: true, listChanged: true },
        tools: { listChanged: true },
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      instructions: INSTRUCTIONS,
      taskStore,
    },
  );
  const session = deps.sessions.add(agentId, server);
  const ctx: DispatchContext = {
    caller: agentId,
    tasks: deps.tasks,
    session,
    log: deps.log,
    runtime: deps.runtime,
    agents: deps.agents,
    providers: deps.providers,
    defaultModel: deps.defaultModel,
    models: deps.models,
    catalog: deps.catalog,
    taskStore,
    sampler: () => (server.server.getClientCapabilities()?.sampling ? samplerOf(server) : undefined),
    roots: () => (server.server.getClientCapabilities()?.roots ? rootsOf(server) : undefined),
  };
  const wanted = (name: string) => deps.tools === null || deps.tools.has(name);

  const dispatchTool = wanted(subagentDispatch.name) ? subagentDispatch.register(server, ctx) : null;
  if (wanted(listAgents.name)) listAgents.register(server, ctx);
  if (wanted(waitForTasks.name)) waitForTasks.register(server, ctx);
  if (wanted(merge.name)) merge.register(server, ctx);
  for (const tool of TASK_TOOLS) if (wanted(tool.name)) tool.register(server, ctx);
  registerResources(server, ctx);
  registerAgentResources(server, ctx);
  server.toolNames = new Set(TOOL_NAMES.filter(wanted));

  // Hot reload: a changed agent folder regenerates the dispatch description and enum (tools/list_changed).
  const unsubscribe = deps.agents.onChange(() => {
    if (!server.isConnected()) return;
    if (dispatchTool) subagentDispatch.refresh(dispatchTool, ctx);
    server.sendResourceListChanged();
  });
  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    unsubscribe();
    deps.sessions.remove(session);
    previousOnClose?.();
  };
  return server;
}
