/** What a run of a task uses: the shared parts, built once per process (`runtime.ts` puts them together). */
import type { AgentDefinition } from '../agents/definition.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import type { Claim, Task } from '../model/task.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { TaskStore } from '../store/task-store.js';
import type { OperationContext } from '../tasks/operations/operation.js';
import type { TaskService } from '../tasks/task-service.js';
import type { Prices } from '../usage/prices.js';
import type { McpServerPool } from '../tools/mcp-client/pool.js';
import type { WorkspaceToolOptions } from '../tools/workspace/index.js';
import type { ModelResolution } from './model-resolution.js';
import type { Notes } from './notes.js';
import type { RunWorkspaces } from './run-workspaces.js';
import type { Samplers } from './samplers.js';
import type { Scheduler } from './scheduler.js';
import type { Sessions } from './sessions.js';
import type { AgentToolCatalog } from './tool-catalog.js';

export interface RunDeps {
  tasks: TaskService;
  store: TaskStore;
  bus: EventBus;
  agents: AgentRegistry;
  providers: ProviderRegistry;
  scheduler: Scheduler;
  resolution: ModelResolution;
  sessions: Sessions;
  notes: Notes;
  samplers: Samplers;
  catalog: AgentToolCatalog;
  mcp: McpServerPool;
  workspaces: RunWorkspaces;
  workspaceTools?: WorkspaceToolOptions;
  log: Logger;
  /** First delay between attempts of a failed run; doubles each time. */
  retryBaseMs: number;
  /** The price table: what each model call cost. */
  prices: Readonly<Prices>;
  /** The operations as the run of `agent` on `task` calls them (as the agent, fenced, children under its task). */
  operationsFor(agent: AgentDefinition, task: Task, claim: Claim, sessionId: string): OperationContext;
}
