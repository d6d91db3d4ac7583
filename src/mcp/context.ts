/** What every tool and resource of one MCP session needs. */
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { Logger } from '../log.js';
import type { ModelResolver } from '../providers/model-resolver.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { CreateMessage } from '../providers/sampling.js';
import type { RootsSource } from '../runtime/run-workspaces.js';
import type { Runtime } from '../runtime/runtime.js';
import type { AgentToolCatalog } from '../runtime/tool-catalog.js';
import type { OperationContext } from '../tasks/operations/operation.js';
import type { TaskService } from '../tasks/task-service.js';
import type { BatonMcpTaskStore } from './mcp-task-store.js';
import type { Session } from './session-registry.js';

export interface SessionContext {
  /** The agent this session acts for: `--as`, or the bearer token's agent over HTTP. */
  caller: string;
  tasks: TaskService;
  /** The operations as this session calls them. */
  operations: OperationContext;
  runtime: Runtime;
  session: Session;
  log: Logger;
  agents: AgentRegistry;
  providers: ProviderRegistry;
  defaultModel: string | null;
  models: ModelResolver;
  catalog: AgentToolCatalog;
  taskStore: BatonMcpTaskStore;
  /** This client's `sampling/createMessage`, when it declared the capability. */
  sampler(): CreateMessage | undefined;
  /** This client's `roots/list`, when it declared the capability. */
  roots(): RootsSource | undefined;
  /** Holds this session's answer to a request until `until` settles, refused if it rejects (`durable-answers.ts`). */
  holdAnswer(id: RequestId, until: Promise<unknown>): void;
}
