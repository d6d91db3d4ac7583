/**
 * createServer: one McpServer per connection, acting for one agent, over the shared parts built once.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Logger } from '../log.js';
import type { TaskService } from '../tasks/task-service.js';
import { VERSION } from '../version.js';
import type { ToolContext } from './context.js';
import { registerResources } from './resources.js';
import type { SessionRegistry } from './session-registry.js';
import * as cancelTask from './tools/cancel-task.js';
import * as completeTask from './tools/complete-task.js';
import * as delegateTask from './tools/delegate-task.js';
import * as failTask from './tools/fail-task.js';
import * as getTask from './tools/get-task.js';
import * as listTasks from './tools/list-tasks.js';
import * as readInbox from './tools/read-inbox.js';
import * as reportTaskProgress from './tools/report-task-progress.js';
import * as sendMessage from './tools/send-message.js';

/** The parts shared by every connection. */
export interface ServerDeps {
  tasks: TaskService;
  sessions: SessionRegistry;
  log: Logger;
}

const TOOLS = [
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

export const TOOL_NAMES: readonly string[] = TOOLS.map((t) => t.name);

const INSTRUCTIONS =
  'Baton lets agents hand work to each other. delegate_task gives a task to another agent and returns its id; ' +
  'the assignee uses report_task_progress, complete_task or fail_task. Follow tasks with get_task and list_tasks, ' +
  'stop them with cancel_task. Notifications about your tasks and messages from other agents arrive as log ' +
  'messages and stay in your inbox (read_inbox).';

/** Builds the MCP server for one connection acting as `agentId`. */
export function createServer(deps: ServerDeps, agentId: string): McpServer {
  const server = new McpServer(
    { name: 'baton', title: 'Baton', version: VERSION },
    {
      capabilities: { logging: {}, resources: { subscribe: true, listChanged: false }, tools: { listChanged: true } },
      instructions: INSTRUCTIONS,
    },
  );
  const session = deps.sessions.add(agentId, server);
  const ctx: ToolContext = { caller: agentId, tasks: deps.tasks, session, log: deps.log };
  for (const tool of TOOLS) tool.register(server, ctx);
  registerResources(server, ctx);
  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    deps.sessions.remove(session);
    previousOnClose?.();
  };
  return server;
}
