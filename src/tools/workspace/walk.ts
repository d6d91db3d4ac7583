/**
 * Walks a folder of the workspace for Glob and Grep: depth first, names sorted, never into a symbolically linked
 * folder (it may lead outside the roots), skipping `.git` and `node_modules` unless the walk starts inside one, and
 * what `.gitignore` files ignore when asked to (Grep: `git-ignores.ts`).
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError } from '../../errors.js';
import type { GitIgnores } from './git-ignores.js';

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
  /** Leave out what these rules ignore (and do not enter an ignored folder). */
  ignores?: GitIgnores | null;
}

/** What a walk found. */
export interface Walked {
  entries: WalkEntry[];
  /** `maxEntries` cut the walk short. */
  truncated: boolean;
  /** Files and folders left out as `ignores` says (a folder counts once, its contents not at all). */
  ignored: number;
}

/** The entries below `base`. */
export async function walk(base: string, options: WalkOptions): Promise<Walked> {
  const max = options.maxEntries ?? 100_000;
  const ignores = options.ignores ?? null;
  const entries: WalkEntry[] = [];
  let ignored = 0;
  const stack: string[] = [''];
  while (stack.length > 0) {
    if (options.signal.aborted) throw new CancelledError();
    const relativeDir = stack.pop()!;
    const dir = path.join(base, relativeDir);
    let dirents: Dirent[];
    try {
      await ignores?.enter(dir);
      dirents = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable or removed meanwhile: skip it, as ripgrep does
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subfolders: string[] = [];
    for (const dirent of dirents) {
      const relative = relativeDir ? `${relativeDir}/${dirent.name}` : dirent.name;
      if (dirent.isDirectory() && SKIPPED_FOLDERS.has(dirent.name)) continue;
      const absolute = path.join(base, relative);
      if (ignores?.ignores(absolute, dirent.isDirectory())) {
        ignored++;
        continue;
      }
      entries.push({ path: absolute, relative, dirent });
      if (entries.length >= max) return { entries, truncated: true, ignored };
      if (dirent.isDirectory()) subfolders.push(relative);
    }
    for (let i = subfolders.length - 1; i >= 0; i--) stack.push(subfolders[i]!);
  }
  return { entries, truncated: false, ignored };
}
