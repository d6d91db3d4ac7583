/** `Read`: a file's lines, numbered as `cat -n` shows them, or an image; capped, and saying so (Claude Code's Read). */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { tool, type AgentTool, type ToolOutput } from '../agent-tool.js';
import { DEFAULT_READ_LINES, MAX_IMAGE_BYTES, MAX_OUTPUT_CHARS, capLine } from '../limits.js';
import { WorkspacePathError, type Workspace } from './workspace.js';

export const name = 'Read';

const InputSchema = z.object({
  file_path: z.string().describe('The file to read: absolute, or relative to the first workspace root.'),
  offset: z.number().int().positive().optional().describe('The line number to start at (1 = the first line).'),
  limit: z.number().int().positive().optional().describe(`How many lines to read (default ${DEFAULT_READ_LINES}).`),
});

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/** The Read tool over `workspace`. */
export function create(workspace: Workspace): AgentTool {
  return tool(
    name,
    `Read a file in the workspace (${workspace.describeRoots()}). Text comes back as numbered lines ` +
      `(${DEFAULT_READ_LINES} at most unless limit says otherwise; use offset for more); PNG, JPEG, GIF and WebP ` +
      'files come back as images.',
    InputSchema,
    async ({ file_path, offset, limit }, signal) => {
      const file = await workspace.resolve(file_path);
      const info = await stat(file);
      if (info.isDirectory()) throw new WorkspacePathError(`${file_path}: is a folder; use LS or Glob`);
      if (!info.isFile()) throw new WorkspacePathError(`${file_path}: not a regular file`);
      const imageType = IMAGE_TYPES[path.extname(file).toLowerCase()];
      if (imageType) return readImage(file, imageType, info.size);
      if (await looksBinary(file)) return `${file}: a binary file of ${info.size} bytes; not shown`;
      return readLines(file, offset ?? 1, limit ?? DEFAULT_READ_LINES, signal);
    },
  );
}

async function readImage(file: string, mimeType: string, size: number): Promise<string | ToolOutput> {
  if (size > MAX_IMAGE_BYTES)
    return `${file}: an image of ${size} bytes, over the ${MAX_IMAGE_BYTES}-byte limit; not shown`;
  const data = (await readFile(file)).toString('base64');
  return { text: `${file}: an image (${mimeType}, ${size} bytes)`, images: [{ mimeType, data }] };
}

/** A NUL byte in the first 8 KiB means binary, as git and ripgrep judge it. */
async function looksBinary(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

/** Lines `offset`…`offset + limit - 1`, streamed, so a huge file costs only what is shown. */
async function readLines(file: string, offset: number, limit: number, signal: AbortSignal): Promise<string> {
  const stream = createReadStream(file, { encoding: 'utf8', signal });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const out: string[] = [];
  let chars = 0;
  let number = 0;
  let more = false;
  let cut = false;
  try {
    for await (const line of lines) {
      number++;
      if (number < offset) continue;
      if (out.length >= limit) {
        more = true;
        break;
      }
      const shown = `${String(number).padStart(6)}\t${capLine(line)}`;
      if (chars + shown.length > MAX_OUTPUT_CHARS) {
        cut = true;
        more = true;
        break;
      }
      out.push(shown);
      chars += shown.length + 1;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  if (number === 0) return `${file}: (empty file)`;
  if (out.length === 0) return `${file}: has ${number} lines; offset ${offset} is past the end`;
  const first = offset;
  const last = offset + out.length - 1;
  const note = more
    ? `\n[showing lines ${first}-${last}${cut ? `, cut at ${MAX_OUTPUT_CHARS} characters` : ''}; more follow: read on with offset ${last + 1}]`
    : '';
  return `${out.join('\n')}${note}`;
}
