/** `Glob`: files matching a glob pattern, newest first (Claude Code's Glob), inside the workspace only. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { tool, type AgentTool } from '../agent-tool.js';
import { MAX_GLOB_RESULTS } from '../limits.js';
import { walk } from './walk.js';
import { WorkspacePathError, type Workspace } from './workspace.js';

export const name = 'Glob';

const InputSchema = z.object({
  pattern: z.string().min(1).describe('A glob such as "**/*.ts" or "src/**/*.{js,jsx}".'),
  path: z
    .string()
    .optional()
    .describe('The folder to search in: absolute, or relative to the first workspace root (default: that root).'),
});

/** The Glob tool over `workspace`. */
export function create(workspace: Workspace): AgentTool {
  return tool(
    name,
    `Find files by glob pattern in the workspace (${workspace.describeRoots()}); paths come back newest first, at most ` +
      `${MAX_GLOB_RESULTS}. .git and node_modules are skipped.`,
    InputSchema,
    async (args, signal) => {
      // An absolute pattern searches from its fixed part: "/repo/src/**/*.ts" is "**/*.ts" in /repo/src.
      let pattern = args.pattern;
      let from = args.path;
      if (path.isAbsolute(pattern)) {
        const scan = picomatch.scan(pattern);
        from = scan.base || path.sep;
        pattern = scan.glob || '**';
      }
      const base = await workspace.resolve(from ?? workspace.primary);
      if (!(await stat(base)).isDirectory()) throw new WorkspacePathError(`${from}: not a folder`);
      const matches = picomatch(pattern, { dot: pattern.startsWith('.') || pattern.includes('/.') });
      const { entries, truncated } = await walk(base, { signal });
      const found: Array<{ path: string; mtime: number }> = [];
      for (const entry of entries) {
        if (entry.dirent.isDirectory() || !matches(entry.relative)) continue;
        const info = await stat(entry.path).catch(() => null);
        // A symbolic link may point anywhere: list it only when it lands inside the workspace.
        if (entry.dirent.isSymbolicLink() && !(await landsInside(workspace, entry.path))) continue;
        found.push({ path: entry.path, mtime: info?.mtimeMs ?? 0 });
      }
      if (found.length === 0) return `No files match ${args.pattern} in ${base}.`;
      found.sort((a, b) => b.mtime - a.mtime || (a.path < b.path ? -1 : 1));
      const shown = found.slice(0, MAX_GLOB_RESULTS).map((f) => f.path);
      const notes = [
        found.length > MAX_GLOB_RESULTS
          ? `[${found.length - MAX_GLOB_RESULTS} more not shown: narrow the pattern]`
          : '',
        truncated ? '[the folder is very large: the search stopped early; narrow the path]' : '',
      ].filter(Boolean);
      return [...shown, ...notes].join('\n');
    },
  );
}

async function landsInside(workspace: Workspace, file: string): Promise<boolean> {
  try {
    await workspace.resolve(file);
    return true;
  } catch {
    return false;
  }
}
