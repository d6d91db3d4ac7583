/** What every tool and resource of one MCP session needs. */
import type { Logger } from '../log.js';
import type { TaskService } from '../tasks/task-service.js';
import type { Session } from './session-registry.js';

export interface ToolContext {
  /** The agent this session acts for: `--as`, or the bearer token's agent over HTTP. */
  caller: string;
  tasks: TaskService;
  session: Session;
  log: Logger;
}
