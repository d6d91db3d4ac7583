/**
 * The `.gitignore` rules Grep follows below a folder, as Claude Code's ripgrep-backed Grep does: only inside a git
 * work tree (a `.git` in the folder searched or one above it); each folder's `.gitignore` from the work tree's top
 * down, relative to its own folder, and `.git/info/exclude` at the top; a deeper file's rule wins over a shallower
 * one's, and within a file the last rule that matches (the matching is `ignore`'s, the gitignore matcher eslint
 * and prettier use). A folder named to search inside an ignored one is searched: the rules above it are left out
 * then, as the caller asked for it by name. Only the rule files are read, never another file above the folder.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';

export class GitIgnores {
  /** Each folder's rules, by absolute path; null: it has none. */
  private readonly rules = new Map<string, Ignore | null>();
  /** The folder the rules start at: the work tree's top, or the folder searched when it is ignored there. */
  private top: string;

  private constructor(top: string) {
    this.top = top;
  }

  /** The rules for a search of `base` (an absolute, real path to a folder); null outside a git work tree. */
  static async below(base: string): Promise<GitIgnores | null> {
    let top = base;
    while (!(await exists(path.join(top, '.git')))) {
      const parent = path.dirname(top);
      if (parent === top) return null;
      top = parent;
    }
    const rules = new GitIgnores(top);
    const chain: string[] = [];
    for (let dir = base; dir !== top; dir = path.dirname(dir)) chain.unshift(dir);
    await rules.enter(top);
    for (const dir of chain) {
      if (rules.ignores(dir, true)) {
        // Named by the caller inside an ignored folder: searched with its own rules and those below it only.
        rules.rules.clear();
        rules.top = base;
        await rules.enter(base);
        break;
      }
      await rules.enter(dir);
    }
    return rules;
  }

  /** Reads the rules of a folder the search enters (its `.gitignore`; at the top, `.git/info/exclude` too). */
  async enter(dir: string): Promise<void> {
    if (this.rules.has(dir)) return;
    const [own, exclude] = await Promise.all([
      readText(path.join(dir, '.gitignore')),
      dir === this.top ? readText(path.join(dir, '.git', 'info', 'exclude')) : null,
    ]);
    // `exclude` first: a `.gitignore` rule, added later, wins over it, as in git.
    this.rules.set(
      dir,
      own === null && exclude === null
        ? null
        : ignore()
            .add(exclude ?? '')
            .add(own ?? ''),
    );
  }

  /** Whether `file` (absolute, below the top, its folder entered) is ignored. */
  ignores(file: string, isDirectory: boolean): boolean {
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      const rules = this.rules.get(dir);
      if (rules) {
        const relative = path.relative(dir, file).split(path.sep).join('/');
        const result = rules.test(isDirectory ? `${relative}/` : relative);
        if (result.ignored) return true;
        if (result.unignored) return false;
      }
      if (dir === this.top || path.dirname(dir) === dir) return false;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function readText(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch(() => null);
}
