/** `LS`: the entries of one folder of the workspace, folders first marked with "/" (Claude Code's LS). */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { tool, type AgentTool } from '../agent-tool.js';
import { MAX_GLOB_RESULTS } from '../limits.js';
import { WorkspacePathError, type Workspace } from './workspace.js';

export const name = 'LS';

const InputSchema = z.object({
  path: z
    .string()
    .optional()
    .describe('The folder to list: absolute, or relative to the first workspace root (default: that root).'),
  ignore: z.array(z.string()).optional().describe('Glob patterns of names to leave out.'),
});

/** The LS tool over `workspace`. */
export function create(workspace: Workspace): AgentTool {
  return tool(
    name,
    `List a folder in the workspace (${workspace.describeRoots()}): sub-folders (ending in "/") then files with sizes.`,
    InputSchema,
    async (args) => {
      const dir = await workspace.resolve(args.path ?? workspace.primary);
      if (!(await stat(dir)).isDirectory()) throw new WorkspacePathError(`${args.path}: not a folder; use Read`);
      const ignored = args.ignore?.length ? picomatch(args.ignore, { dot: true }) : () => false;
      const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !ignored(e.name));
      if (entries.length === 0) return `${dir}: (empty folder)`;
      const folders: string[] = [];
      const files: string[] = [];
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (entry.isDirectory()) folders.push(`${entry.name}/`);
        else if (entry.isSymbolicLink()) files.push(`${entry.name} -> (symbolic link)`);
        else {
          const size = await stat(path.join(dir, entry.name)).then(
            (s) => s.size,
            () => null,
          );
          files.push(size === null ? entry.name : `${entry.name} (${size} bytes)`);
        }
      }
      const all = [...folders, ...files];
      const more = all.length > MAX_GLOB_RESULTS ? [`[${all.length - MAX_GLOB_RESULTS} more entries not shown]`] : [];
      return [`${dir}/`, ...all.slice(0, MAX_GLOB_RESULTS).map((line) => `  ${line}`), ...more].join('\n');
    },
  );
}
