/**
 * Reads one agent definition file so that no file can stall or bloat the server (SPEC §3):
 * - only regular files are read: a FIFO (or a symlink to one) would block the read, and with it start-up or hot
 *   reload, forever; it is opened non-blocking and refused. A dangling symlink is a problem, not silence;
 * - at most 256 KiB is ever read; a larger file is a problem;
 * - a frontmatter over `INLINE_FRONTMATTER_BYTES` is parsed in a worker thread: YAML costs ~1 ms a KiB (more with
 *   thousands of keys), which must not hold up the sessions the event loop serves.
 */
import { constants } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { errorMessage } from '../errors.js';
import { WorkerFunction } from '../util/worker-function.js';
import {
  DEFINITION_MAX_BYTES,
  FRONTMATTER_MAX_BYTES,
  parseAgentFile,
  parseFrontmatterYaml,
  splitFrontmatter,
  yamlResult,
} from './definition.js';
import type { ParseAgentResult } from './definition.js';

/**
 * Frontmatters up to this size are parsed on the event loop: measured at 1–3 ms for 2 KiB of the worst shapes
 * (thousands of keys, deep flow collections, aliases), and ~30 ms at 16 KiB, ~700 ms at 64 KiB.
 */
export const INLINE_FRONTMATTER_BYTES = 2 * 1024;

/** Parsing one frontmatter in the worker is given up after this long. */
const PARSE_TIMEOUT_MS = 10_000;

let yamlWorker: WorkerFunction<string, ReturnType<typeof parseFrontmatterYaml>> | null = null;

/** The definition in `file`, or its problem; null when the file is gone (removed since the folder was listed). */
export async function readAgentDefinition(file: string): Promise<ParseAgentResult | null> {
  const problem = (reason: string): ParseAgentResult => ({ ok: false, problem: { path: file, reason } });
  const read = await readRegularFile(file, DEFINITION_MAX_BYTES);
  if (read === null) return null;
  if (!read.ok) return problem(read.reason);

  const split = splitFrontmatter(read.text);
  if (!split.ok || Buffer.byteLength(split.frontmatter) <= INLINE_FRONTMATTER_BYTES) {
    return parseAgentFile(read.text, file);
  }
  // parseAgentFile refuses a frontmatter over its limit before parsing it.
  if (Buffer.byteLength(split.frontmatter) > FRONTMATTER_MAX_BYTES) return parseAgentFile(read.text, file);
  yamlWorker ??= new WorkerFunction(parseFrontmatterYaml, { modules: { yaml: 'yaml' }, timeoutMs: PARSE_TIMEOUT_MS });
  let outcome;
  try {
    outcome = await yamlWorker.run(split.frontmatter);
  } catch (error) {
    return problem(`frontmatter: could not be parsed: ${errorMessage(error)}`);
  }
  return parseAgentFile(read.text, file, yamlResult(outcome, split.firstLine));
}

type Read = { ok: true; text: string } | { ok: false; reason: string };

/** The text of a regular file of at most `max` bytes, a problem, or null when there is no such file. */
async function readRegularFile(file: string, max: number): Promise<Read | null> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return danglingLink(file);
    if (code === 'ELOOP') return { ok: false, reason: 'a symbolic link that loops' };
    if (code === 'ENXIO') return { ok: false, reason: 'not a regular file (a socket); only regular files are read' };
    return { ok: false, reason: `cannot read the file: ${errorMessage(error)}` };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      return { ok: false, reason: `not a regular file (${kindOf(stat)}); only regular files are read` };
    if (stat.size > max) return { ok: false, reason: tooLarge(stat.size) };
    // Read at most max + 1 bytes, whatever the size said: the file may grow meanwhile.
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > max) return { ok: false, reason: `the file grew past the limit of ${max} bytes while being read` };
    }
    return { ok: true, text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return { ok: false, reason: `cannot read the file: ${errorMessage(error)}` };
  } finally {
    await handle.close();
  }
}

/** A symlink whose target is missing is a problem; a file that is simply gone is not (null). */
async function danglingLink(file: string): Promise<Read | null> {
  const link = await lstat(file).catch(() => null);
  if (!link?.isSymbolicLink()) return null;
  const target = await readlink(file).catch(() => '?');
  return { ok: false, reason: `a symbolic link to ${target}, which does not exist` };
}

function tooLarge(size: number): string {
  return `the file is ${size} bytes; the limit is ${DEFINITION_MAX_BYTES} (256 KiB)`;
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
