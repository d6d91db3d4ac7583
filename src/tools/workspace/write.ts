/**
 * `Write` and `Edit` (Claude Code's names and meaning): they change files, so they are offered only with the
 * operator's `--allow write` as well as the agent file's listing them (SPEC §8).
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { tool, type AgentTool } from '../agent-tool.js';
import { WorkspacePathError, type Workspace } from './workspace.js';

export const writeName = 'Write';
export const editName = 'Edit';

const WriteSchema = z.object({
  file_path: z.string().describe('The file to write: absolute, or relative to the first workspace root.'),
  content: z.string().max(10_000_000).describe('The whole new content of the file.'),
});

const EditSchema = z.object({
  file_path: z.string().describe('The file to change: absolute, or relative to the first workspace root.'),
  old_string: z.string().min(1).describe('The exact text to replace; it must occur once unless replace_all is true.'),
  new_string: z.string().describe('The text to put in its place.'),
  replace_all: z.boolean().optional().describe('Replace every occurrence (default false).'),
});

/** The Write tool over `workspace`: creates the file (and missing folders) or replaces its content. */
export function createWrite(workspace: Workspace): AgentTool {
  return tool(
    writeName,
    `Write a file in the workspace (${workspace.describeRoots()}), creating it and its folders if needed, or replacing its whole content.`,
    WriteSchema,
    async ({ file_path, content }) => {
      const file = await workspace.resolve(file_path, 'write');
      const existed = await stat(file).then(
        (s) => {
          if (s.isDirectory()) throw new WorkspacePathError(`${file_path}: is a folder`);
          return true;
        },
        () => false,
      );
      await mkdir(path.dirname(file), { recursive: true });
      // The folders were just made under a checked ancestor; check again in case a link appeared meanwhile.
      await workspace.resolve(path.dirname(file));
      await writeNoFollow(file, content);
      return `${existed ? 'Replaced' : 'Created'} ${file} (${Buffer.byteLength(content)} bytes).`;
    },
  );
}

/** The Edit tool over `workspace`: an exact string replacement in an existing file. */
export function createEdit(workspace: Workspace): AgentTool {
  return tool(
    editName,
    `Replace exact text in a file of the workspace (${workspace.describeRoots()}). old_string must match once (or use replace_all); read the file first.`,
    EditSchema,
    async ({ file_path, old_string, new_string, replace_all }) => {
      const file = await workspace.resolve(file_path);
      const text = await readFile(file, 'utf8');
      const count = text.split(old_string).length - 1;
      if (count === 0)
        throw new WorkspacePathError(`${file_path}: old_string was not found; read the file and copy the text exactly`);
      if (count > 1 && !replace_all) {
        throw new WorkspacePathError(
          `${file_path}: old_string occurs ${count} times; give more surrounding text to make it unique, or set replace_all`,
        );
      }
      if (old_string === new_string)
        throw new WorkspacePathError('old_string and new_string are the same; nothing to change');
      const next = replace_all ? text.split(old_string).join(new_string) : text.replace(old_string, () => new_string);
      await writeNoFollow(file, next);
      return `Edited ${file}: ${replace_all ? count : 1} replacement${(replace_all ? count : 1) === 1 ? '' : 's'}.`;
    },
  );
}

/** Writes without following a symbolic link at the last step (one swapped in after the check is refused). */
async function writeNoFollow(file: string, content: string): Promise<void> {
  const handle = await open(
    file,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o644,
  );
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}
