/**
 * Edits a host's JSON config file without losing anything: the edits go in through jsonc-parser, which changes
 * only the edited values and keeps the rest of the text (other servers, other keys, their order, formatting and,
 * where the host allows them, comments) as it was. The original is copied to a backup beside it first, the new
 * text is checked to parse and replaces the file by rename. A file that does not parse is refused, untouched.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyEdits, modify, parse, printParseErrorCode } from 'jsonc-parser';
import type { JSONPath, ParseError } from 'jsonc-parser';
import { ConfigError, errorMessage } from '../errors.js';

/** One value to set; `append` adds it to the end of the array at `path` instead. */
export interface JsonEdit {
  path: JSONPath;
  value: unknown;
  append?: boolean;
}

export interface JsonFileChange {
  file: string;
  /** The file did not exist (or was empty) before. */
  created: boolean;
  /** Where the original was copied, or null when there was none. */
  backup: string | null;
}

export interface EditJsonOptions {
  /** The host reads JSON with comments and trailing commas (VS Code's mcp.json); strict JSON otherwise. */
  jsonc: boolean;
  /** Decides the edits from the parsed document (a JSON object); throws `ConfigError` to refuse. */
  edits(document: Record<string, unknown>): JsonEdit[];
}

export async function editJsonFile(file: string, options: EditJsonOptions): Promise<JsonFileChange> {
  const original = await readIfExists(file);
  const created = original === null || original.trim() === '';
  const text = created ? '{}' : original;
  const document = parseObject(text, file, options.jsonc);
  let next = text;
  for (const edit of options.edits(document)) {
    const where = edit.append ? [...edit.path, -1] : edit.path;
    const changes = modify(next, where, edit.value, {
      isArrayInsertion: edit.append === true,
      formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
    });
    next = applyEdits(next, changes);
  }
  // What goes back must parse as well as what came in.
  parseObject(next, file, options.jsonc);
  if (!next.endsWith('\n')) next += '\n';

  await mkdir(path.dirname(file), { recursive: true });
  const backup = created || original === null ? null : await backupOf(file);
  const temp = `${file}.baton-${process.pid}.tmp`;
  try {
    await writeFile(temp, next, { flag: 'wx', mode: original === null ? 0o644 : (await stat(file)).mode & 0o777 });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new ConfigError(`cannot write ${file}: ${errorMessage(error)}`, { cause: error });
  }
  return { file, created, backup };
}

/** The parsed object, or a `ConfigError` naming where the text stops being JSON. */
function parseObject(text: string, file: string, jsonc: boolean): Record<string, unknown> {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { disallowComments: !jsonc, allowTrailingComma: jsonc });
  const first = errors[0];
  if (first) {
    const { line, column } = position(text, first.offset);
    throw new ConfigError(
      `${file} is not valid JSON (${printParseErrorCode(first.error)} at line ${line}, column ${column}); ` +
        'left it untouched: fix it, or add the entry by hand (baton init without --host prints it)',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file} does not hold a JSON object; left it untouched`);
  }
  return value as Record<string, unknown>;
}

/** Copies `file` to the first free `<file>.bak`, `<file>.bak.2`, … and returns that path. */
async function backupOf(file: string): Promise<string> {
  for (let n = 1; ; n++) {
    const backup = n === 1 ? `${file}.bak` : `${file}.bak.${n}`;
    try {
      await copyFile(file, backup, constants.COPYFILE_EXCL);
      return backup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(`cannot back up ${file}: ${errorMessage(error)}`, { cause: error });
      }
    }
  }
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`cannot read ${file}: ${errorMessage(error)}`, { cause: error });
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}
