/**
 * createServer: one McpServer per connection, acting for one agent, over the shared parts built once.
 */
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentRegistry } from '../agents/registry.js';
import { ConfigError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import type { ModelResolver } from '../providers/model-resolver.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Runtime } from '../runtime/runtime.js';
import type { AgentToolCatalog } from '../runtime/tool-catalog.js';
import type { TaskService } from '../tasks/task-service.js';
import { VERSION } from '../version.js';
import type { SessionContext } from './context.js';
import { BOARD_LINKED_TOOLS, BOARD_SNAPSHOT, BOARD_TOOL_META, hostRendersApps, registerBoardApp } from './board-app.js';
import { BatonMcpTaskStore } from './mcp-task-store.js';
import { GuardedMcpServer } from './request-guard.js';
import { registerPrompts } from './prompts.js';
import { registerAgentResources, registerResources } from './resources.js';
import type { SessionRegistry } from './session-registry.js';
import { rootsOf, samplerOf } from './session-registry.js';
import { OPERATIONS } from '../tasks/operations/index.js';
import type { Operation } from '../tasks/operations/operation.js';
import * as listAgents from './tools/list-agents.js';
import { registerOperation } from './tools/operation-tool.js';
import { serveToolList } from './tool-list.js';
import type { ToolView } from './tool-list.js';
import * as subagentDispatch from './tools/subagent-dispatch.js';

/** The parts shared by every connection. */
export interface ServerDeps {
  tasks: TaskService;
  /** The facts of every process (the 2026-07-28 front's `subscriptions/listen` follows them). */
  bus: EventBus;
  sessions: SessionRegistry;
  runtime: Runtime;
  agents: AgentRegistry;
  providers: ProviderRegistry;
  defaultModel: string | null;
  models: ModelResolver;
  /** The tools each agent may have: what list_agents shows. */
  catalog: AgentToolCatalog;
  /** `--tools`: the tool names to publish, or null for all. */
  tools: ReadonlySet<string> | null;
  log: Logger;
  /**
   * Settles once the store is open and the parts that read it have started; until then only the requests that
   * need no store are answered (`ready-gate.ts`), the others wait. Absent: ready.
   */
  ready?: Promise<void>;
  /** Loads the agents' vendor SDKs; called once a client has initialized, off the cold start's path. */
  warmUp?: () => Promise<void>;
}

/** The operations published as plain tools (subagent_dispatch has an adapter of its own: MCP Tasks, the agent enum). */
const TASK_TOOLS = [
  OPERATIONS.delegate_task,
  OPERATIONS.report_task_progress,
  OPERATIONS.complete_task,
  OPERATIONS.fail_task,
  OPERATIONS.list_tasks,
  OPERATIONS.get_task,
  OPERATIONS.cancel_task,
  OPERATIONS.send_message,
  OPERATIONS.read_inbox,
] as Operation[];
const ORCHESTRATION_TOOLS = [OPERATIONS.wait_for_tasks, OPERATIONS.merge] as Operation[];

/** Tool groups `--tools` accepts besides tool names. */
export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  dispatch: [subagentDispatch.name, listAgents.name],
  tasks: TASK_TOOLS.map((t) => t.name),
  orchestration: ORCHESTRATION_TOOLS.map((t) => t.name),
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

export const INSTRUCTIONS =
  'Baton lets agents hand work to each other. subagent_dispatch runs a defined agent on a task and waits for its ' +
  'answer; list_agents shows who is available. delegate_task gives a task to another agent and returns its id ' +
  '(fan out several, then wait_for_tasks and merge their results); ' +
  'the assignee uses report_task_progress, complete_task or fail_task. Follow tasks with get_task and list_tasks, ' +
  'stop them with cancel_task. Notifications about your tasks and messages from other agents arrive as log ' +
  'messages and stay in your inbox (read_inbox).';

const linksBoard = (name: string) => BOARD_LINKED_TOOLS.includes(name);

/**
 * Builds the MCP server for one connection acting as `agentId`. `live: false` (the 2026-07-28 front's server
 * underneath) keeps it out of the session registry: no inbox pushes, no sampling or roots through it.
 */
export function createServer(deps: ServerDeps, agentId: string, options: { live?: boolean } = {}): McpServer {
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
  const live = options.live ?? true;
  const session = live
    ? deps.sessions.add(agentId, server)
    : { agentId, server, subscriptions: new Set<string>(), answering: new Set<string>() };
  const sampler = () => (server.server.getClientCapabilities()?.sampling ? samplerOf(server) : undefined);
  const ctx: SessionContext = {
    caller: agentId,
    tasks: deps.tasks,
    operations: deps.runtime.operations(agentId, { sampler }),
    session,
    log: deps.log,
    runtime: deps.runtime,
    agents: deps.agents,
    providers: deps.providers,
    defaultModel: deps.defaultModel,
    models: deps.models,
    catalog: deps.catalog,
    taskStore,
    sampler,
    roots: () => (server.server.getClientCapabilities()?.roots ? rootsOf(server) : undefined),
    holdAnswer: (id, until) => server.holdAnswer(id, until),
  };
  const wanted = (name: string) => deps.tools === null || deps.tools.has(name);

  const tools = new Map<string, RegisteredTool>();
  const views = new Map<string, ToolView>();
  const dispatchTool = wanted(subagentDispatch.name) ? subagentDispatch.register(server, ctx) : null;
  if (dispatchTool) {
    tools.set(subagentDispatch.name, dispatchTool);
    views.set(subagentDispatch.name, subagentDispatch.view(ctx));
  }
  if (wanted(listAgents.name)) tools.set(listAgents.name, listAgents.register(server, ctx));
  for (const op of [...ORCHESTRATION_TOOLS, ...TASK_TOOLS]) {
    if (wanted(op.name))
      tools.set(op.name, registerOperation(server, ctx, op, linksBoard(op.name) ? BOARD_TOOL_META : undefined));
  }
  registerResources(server, ctx);
  registerAgentResources(server, ctx);
  const refreshPrompts = registerPrompts(server, ctx);
  server.toolNames = new Set(TOOL_NAMES.filter(wanted));
  if (deps.ready) server.ready = deps.ready;
  server.whenDurable = () => deps.tasks.whenDurable();
  // The board app goes with the tools that show it (SPEC §12): its app-only tool is there whenever one of them is.
  if (BOARD_LINKED_TOOLS.some(wanted)) {
    tools.set(BOARD_SNAPSHOT, registerBoardApp(server, ctx));
    server.toolNames = new Set([...server.toolNames, BOARD_SNAPSHOT]);
  }
  // board_snapshot is for the board app only (`visibility: ["app"]`: never the model's): listed only to a host that
  // renders MCP Apps, so that the others' tool lists stay as they were (SPEC §11's token budget).
  const rendersApps = () => hostRendersApps(server.server.getClientCapabilities());
  serveToolList(server, tools, views, (name) => name !== BOARD_SNAPSHOT || rendersApps());

  // Hot reload: a changed agent folder regenerates the dispatch description and enum (tools/list_changed).
  const unsubscribe = deps.agents.onChange(() => {
    if (!server.isConnected()) return;
    if (dispatchTool) subagentDispatch.refresh(dispatchTool, ctx);
    refreshPrompts();
    server.sendResourceListChanged();
  });
  // The first dispatches should not wait for a vendor SDK to load: warm up once the client is initialized.
  server.server.oninitialized = () => void deps.warmUp?.();
  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    unsubscribe();
    if (live) deps.sessions.remove(session);
    previousOnClose?.();
  };
  return server;
}
