/** Every `baton` command, in the order `baton --help` lists them. A new command is a file and a line here. */
import type { CommandSpec } from './command.js';
import { agentsCommand } from './agents-command.js';
import { boardCommand } from './board-command.js';
import { dispatchCommand } from './dispatch-command.js';
import { initCommand } from './init-command.js';
import { serveCommand } from './serve-command.js';
import { taskShowCommand, tasksListCommand } from './tasks-command.js';
import { workerCommand } from './worker-command.js';

/** `baton` without a command runs this one. */
export const DEFAULT_COMMAND: CommandSpec = serveCommand;

export const COMMANDS: readonly CommandSpec[] = [
  serveCommand,
  initCommand,
  agentsCommand,
  dispatchCommand,
  workerCommand,
  tasksListCommand,
  taskShowCommand,
  boardCommand,
];

export const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.name);
