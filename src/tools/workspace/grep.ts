/**
 * `Grep`: searches file contents with a regular expression, as Claude Code's ripgrep-backed Grep does, with RE2
 * semantics (re2js): matching takes linear time, so no pattern a model writes can stall Baton.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { CancelledError, errorMessage } from '../../errors.js';
import { tool, type AgentTool } from '../agent-tool.js';
import { MAX_GREP_FILE_BYTES, MAX_OUTPUT_CHARS, capLine, capText } from '../limits.js';
import { compileUserPattern, matchingLines, type UserPattern } from '../../util/user-pattern.js';
import { GitIgnores } from './git-ignores.js';
import { walk } from './walk.js';
import { WorkspacePathError, type Workspace } from './workspace.js';

export const name = 'Grep';

/** ripgrep's `--type` names for the common languages, as extensions. */
const TYPES: Readonly<Record<string, readonly string[]>> = {
  js: ['.js', '.jsx', '.mjs', '.cjs'],
  ts: ['.ts', '.tsx', '.mts', '.cts'],
  py: ['.py', '.pyi'],
  rust: ['.rs'],
  go: ['.go'],
  java: ['.java'],
  c: ['.c', '.h'],
  cpp: ['.cpp', '.cc', '.cxx', '.hpp', '.hh', '.h'],
  cs: ['.cs'],
  rb: ['.rb'],
  php: ['.php'],
  swift: ['.swift'],
  kotlin: ['.kt', '.kts'],
  sh: ['.sh', '.bash', '.zsh'],
  md: ['.md', '.markdown'],
  json: ['.json'],
  yaml: ['.yaml', '.yml'],
  toml: ['.toml'],
  html: ['.html', '.htm'],
  css: ['.css', '.scss', '.less'],
  sql: ['.sql'],
};

const InputSchema = z.object({
  pattern: z.string().min(1).describe('The regular expression (RE2 syntax, like ripgrep).'),
  path: z.string().optional().describe('A file or folder to search (default: the first workspace root).'),
  glob: z.string().optional().describe('Only files whose path matches this glob, e.g. "*.ts" or "src/**/*.py".'),
  type: z
    .string()
    .optional()
    .describe(`Only files of this type: ${Object.keys(TYPES).join(', ')}.`),
  output_mode: z
    .enum(['content', 'files_with_matches', 'count'])
    .optional()
    .describe('content: matching lines; files_with_matches (default): file paths; count: matches per file.'),
  '-i': z.boolean().optional().describe('Case-insensitive.'),
  '-n': z.boolean().optional().describe('Show line numbers (content mode; default true).'),
  '-A': z.number().int().min(0).max(100).optional().describe('Lines of context after each match (content mode).'),
  '-B': z.number().int().min(0).max(100).optional().describe('Lines of context before each match (content mode).'),
  '-C': z.number().int().min(0).max(100).optional().describe('Lines of context around each match (content mode).'),
  head_limit: z.number().int().positive().optional().describe('Show only the first N lines or files.'),
  multiline: z.boolean().optional().describe('Let the pattern span lines ("." matches newlines too).'),
});
type GrepInput = z.infer<typeof InputSchema>;

/** The Grep tool over `workspace`. */
export function create(workspace: Workspace): AgentTool {
  return tool(
    name,
    `Search file contents with a regular expression (RE2 syntax) in the workspace (${workspace.describeRoots()}). ` +
      'Binary files, .git, node_modules and, in a git work tree, what .gitignore ignores are skipped ' +
      '(name an ignored file or folder as path to search it).',
    InputSchema,
    async (args, signal) => {
      const regex = compile(args);
      const base = await workspace.resolve(args.path ?? workspace.primary);
      const { files, ignored } = await filesToSearch(workspace, base, args, signal);
      const mode = args.output_mode ?? 'files_with_matches';
      const limit = args.head_limit ?? Infinity;
      const out: string[] = [];
      let skipped = 0;
      for (const file of files) {
        if (out.length >= limit || signal.aborted) break;
        const text = await readText(file);
        if (text === 'binary') continue;
        if (text === null) {
          skipped++;
          continue;
        }
        const lines = new Set(await matchingLines(regex, text, { acrossLines: args.multiline === true }));
        if (lines.size === 0) continue;
        if (mode === 'files_with_matches') out.push(file);
        else if (mode === 'count') out.push(`${file}:${lines.size}`);
        else out.push(...contentLines(file, text, lines, args).slice(0, limit - out.length));
      }
      if (signal.aborted) throw new CancelledError();
      if (out.length === 0) {
        // Said, so that nothing found is not taken for nothing there (the files may be in what is skipped).
        const unsearched =
          ignored > 0 ? ` (${ignored} files and folders that .gitignore ignores were not searched)` : '';
        return `No matches for ${args.pattern} in ${base}${unsearched}.`;
      }
      const notes =
        skipped > 0 ? `\n[${skipped} files over ${MAX_GREP_FILE_BYTES} bytes or unreadable were skipped]` : '';
      return (
        capText(out.slice(0, limit).join('\n'), MAX_OUTPUT_CHARS, 'use head_limit, glob or a narrower path') + notes
      );
    },
  );
}

function compile(args: GrepInput): UserPattern {
  try {
    // RE2 (linear time) with a cap on the program size: the same rules as every pattern a caller writes.
    return compileUserPattern(args.pattern, 'pattern', {
      ignoreCase: args['-i'],
      multiline: args.multiline,
      dotAll: args.multiline,
    });
  } catch (error) {
    throw new WorkspacePathError(`invalid pattern ${args.pattern}: ${errorMessage(error)}`);
  }
}

async function filesToSearch(
  workspace: Workspace,
  base: string,
  args: GrepInput,
  signal: AbortSignal,
): Promise<{ files: string[]; ignored: number }> {
  if ((await stat(base)).isFile()) return { files: [base], ignored: 0 };
  const type = args.type?.toLowerCase();
  // Own keys only: type "constructor" is unknown, not Object.prototype's.
  const extensions = type === undefined ? null : Object.hasOwn(TYPES, type) ? TYPES[type] : undefined;
  if (extensions === undefined) {
    throw new WorkspacePathError(`unknown type ${args.type}; known: ${Object.keys(TYPES).join(', ')}`);
  }
  // ripgrep matches a glob without "/" against the file name, one with "/" against the path.
  const glob = args.glob === undefined ? null : picomatch(args.glob, { dot: true, basename: !args.glob.includes('/') });
  const { entries, ignored } = await walk(base, { signal, ignores: await GitIgnores.below(base) });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.dirent.isDirectory()) continue;
    if (extensions && !extensions.includes(path.extname(entry.path).toLowerCase())) continue;
    if (glob && !glob(entry.relative)) continue;
    if (
      entry.dirent.isSymbolicLink() &&
      !(await workspace.resolve(entry.path).then(
        () => true,
        () => false,
      ))
    )
      continue;
    files.push(entry.path);
  }
  return { files, ignored };
}

/** The file as text, 'binary' for a binary file, or null when it is too big or unreadable. */
async function readText(file: string): Promise<string | null> {
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > MAX_GREP_FILE_BYTES) return null;
    const buffer = await readFile(file);
    if (buffer.subarray(0, 8192).includes(0)) return 'binary';
    return buffer.toString('utf8');
  } catch {
    return null;
  }
}

/** `path:line:text` for matches and `path-line-text` for context, with `--` between separate groups (ripgrep). */
function contentLines(file: string, text: string, matches: Set<number>, args: GrepInput): string[] {
  const lines = text.split(/\r?\n/);
  const before = args['-B'] ?? args['-C'] ?? 0;
  const after = args['-A'] ?? args['-C'] ?? 0;
  const numbers = args['-n'] !== false;
  const shown = new Set<number>();
  for (const m of matches)
    for (let i = Math.max(0, m - before); i <= Math.min(lines.length - 1, m + after); i++) shown.add(i);
  const out: string[] = [];
  let previous = -2;
  for (const i of [...shown].sort((a, b) => a - b)) {
    if (previous >= 0 && i > previous + 1) out.push('--');
    const sep = matches.has(i) ? ':' : '-';
    out.push(numbers ? `${file}${sep}${i + 1}${sep}${capLine(lines[i]!)}` : `${file}${sep}${capLine(lines[i]!)}`);
    previous = i;
  }
  return out;
}
