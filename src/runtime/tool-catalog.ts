/**
 * The tools an agent may have in this process: the operator's permissions and MCP servers, applied to each agent's
 * definition (`tool-plan.ts`). Shared by the runtime (what a run gets) and by `list_agents` / `baton agents` (what
 * they show, with the problems). Each new problem is logged once.
 */
import type { AgentDefinition } from '../agents/definition.js';
import type { Logger } from '../log.js';
import type { WorkspacePermission } from '../tools/workspace/index.js';
import { planTools, type McpCatalog, type ToolPlan } from './tool-plan.js';

export class AgentToolCatalog {
  private readonly logged = new Set<string>();

  constructor(
    readonly permissions: ReadonlySet<WorkspacePermission>,
    readonly mcp: McpCatalog,
    private readonly log: Logger,
  ) {}

  /** The plan for one agent (cheap: nothing starts). */
  plan(agent: AgentDefinition): ToolPlan {
    return planTools(agent, { permissions: this.permissions, mcp: this.mcp });
  }

  /** Logs every tool problem of `agents` not logged before (at start and after each reload). */
  logProblems(agents: readonly AgentDefinition[]): void {
    for (const agent of agents) {
      for (const problem of this.plan(agent).problems) {
        const key = `${agent.path}\n${problem}`;
        if (this.logged.has(key)) continue;
        this.logged.add(key);
        this.log.warn('agent tool problem', { agent: agent.id, path: agent.path, reason: problem });
      }
    }
  }
}
