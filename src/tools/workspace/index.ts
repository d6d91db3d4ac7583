/**
 * The workspace tools by Claude Code's names (SPEC §8): the read-only ones for any agent that lists them, and the
 * ones that change files or run commands only with the operator's permission as well.
 */
import type { AgentTool } from '../agent-tool.js';
import * as bash from './bash.js';
import * as glob from './glob.js';
import * as grep from './grep.js';
import * as ls from './ls.js';
import * as read from './read.js';
import * as write from './write.js';
import type { Workspace } from './workspace.js';

/** What the operator grants with `--allow` (the same words as the config's `permissions`). */
export type WorkspacePermission = 'write' | 'bash';

/** One workspace tool: its name, the permission it needs (none for the read-only ones), how to make it. */
export interface WorkspaceToolKind {
  name: string;
  needs: WorkspacePermission | null;
  create(workspace: Workspace, options: WorkspaceToolOptions): AgentTool;
}

/** Options of the tools of one run. */
export interface WorkspaceToolOptions {
  bash?: bash.BashOptions;
}

/** Every workspace tool, in the order they are offered. */
export const WORKSPACE_TOOLS: readonly WorkspaceToolKind[] = [
  { name: read.name, needs: null, create: (ws) => read.create(ws) },
  { name: glob.name, needs: null, create: (ws) => glob.create(ws) },
  { name: grep.name, needs: null, create: (ws) => grep.create(ws) },
  { name: ls.name, needs: null, create: (ws) => ls.create(ws) },
  { name: write.writeName, needs: 'write', create: (ws) => write.createWrite(ws) },
  { name: write.editName, needs: 'write', create: (ws) => write.createEdit(ws) },
  { name: bash.name, needs: 'bash', create: (ws, options) => bash.create(ws, options.bash) },
];

/** The workspace tool named `name` (Claude Code's capitalisation, or any other). */
export function workspaceTool(name: string): WorkspaceToolKind | undefined {
  const lower = name.toLowerCase();
  return WORKSPACE_TOOLS.find((kind) => kind.name.toLowerCase() === lower);
}

export { Workspace, WorkspacePathError } from './workspace.js';
