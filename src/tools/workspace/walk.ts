/**
 * Walks a folder of the workspace for Glob and Grep: depth first, names sorted, never into a symbolically linked
 * folder (it may lead outside the roots), skipping `.git` and `node_modules` unless the walk starts inside one.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError } from '../../errors.js';

/** Folders a walk does not enter: version control data and installed packages, as ripgrep skips them by default. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

/** One entry found by a walk. */
export interface WalkEntry {
  /** Absolute path (below the real folder the walk started in). */
  path: string;
  /** Relative to the start, with `/` separators (what globs match against). */
  relative: string;
  dirent: Dirent;
}

/** Options of `walk`. */
export interface WalkOptions {
  signal: AbortSignal;
  /** Stop after this many entries (a huge tree must not stall the run). Default 100,000. */
  maxEntries?: number;
}

/** The entries below `base`; `truncated` tells whether `maxEntries` cut the walk short. */
export async function walk(base: string, options: WalkOptions): Promise<{ entries: WalkEntry[]; truncated: boolean }> {
  const max = options.maxEntries ?? 100_000;
  const entries: WalkEntry[] = [];
  const stack: string[] = [''];
  while (stack.length > 0) {
    if (options.signal.aborted) throw new CancelledError();
    const relativeDir = stack.pop()!;
    let dirents: Dirent[];
    try {
      dirents = await readdir(path.join(base, relativeDir), { withFileTypes: true });
    } catch {
      continue; // unreadable or removed meanwhile: skip it, as ripgrep does
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subfolders: string[] = [];
    for (const dirent of dirents) {
      const relative = relativeDir ? `${relativeDir}/${dirent.name}` : dirent.name;
      if (dirent.isDirectory() && SKIPPED_FOLDERS.has(dirent.name)) continue;
      entries.push({ path: path.join(base, relative), relative, dirent });
      if (entries.length >= max) return { entries, truncated: true };
      if (dirent.isDirectory()) subfolders.push(relative);
    }
    for (let i = subfolders.length - 1; i >= 0; i--) stack.push(subfolders[i]!);
  }
  return { entries, truncated: false };
}
