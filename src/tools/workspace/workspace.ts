/**
 * The workspace roots and the one place that confines paths to them (SPEC §8, issue 8). Every workspace tool turns
 * the path a model gave into a real path through `resolve`: relative paths are taken from the first root, and a path
 * that leaves every root, lexically (`..`, an absolute path elsewhere) or through a symbolic link, is refused. A path
 * to be written that does not exist yet is judged by its nearest existing ancestor.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { InputError, errorMessage } from '../../errors.js';

/** A path a workspace tool refused, or one that does not exist: the model sees the message and can fix the call. */
export class WorkspacePathError extends InputError {
  constructor(message: string) {
    super('workspace_path', message);
  }
}

/** What a resolved path is for: reading needs it to exist; writing accepts a new file under an existing folder. */
export type PathUse = 'read' | 'write';

interface Root {
  /** As configured or declared (may itself go through a symlink, e.g. /tmp on macOS). */
  given: string;
  /** Its real path: what every check compares with. */
  real: string;
}

/** The roots of one run. */
export class Workspace {
  private constructor(private readonly rootList: readonly Root[]) {}

  /** Opens the roots (absolute folders); one that does not exist or is not a folder is an error naming it. */
  static async open(dirs: readonly string[]): Promise<Workspace> {
    if (dirs.length === 0) throw new WorkspacePathError('no workspace root: the workspace tools have nowhere to act');
    const roots: Root[] = [];
    for (const dir of dirs) {
      const given = path.resolve(dir);
      let real: string;
      try {
        real = await realpath(given);
      } catch (error) {
        throw new WorkspacePathError(`workspace root ${given} cannot be used: ${errorMessage(error)}`);
      }
      if (!roots.some((r) => r.real === real)) roots.push({ given, real });
    }
    return new Workspace(roots);
  }

  /** The real roots, the first being where relative paths start and where Bash runs. */
  get roots(): string[] {
    return this.rootList.map((r) => r.real);
  }

  /** The first root. */
  get primary(): string {
    return this.rootList[0]!.real;
  }

  /**
   * The real absolute path for `input`, inside a root, or a `WorkspacePathError` saying why not. For `write`, a path
   * that does not exist yet is accepted when its nearest existing ancestor is inside a root.
   */
  async resolve(input: string, use: PathUse = 'read'): Promise<string> {
    if (typeof input !== 'string' || input.trim() === '') throw new WorkspacePathError('a path is required');
    if (input.includes('\0')) throw new WorkspacePathError('a path cannot contain a NUL character');
    const absolute = path.isAbsolute(input) ? path.resolve(input) : path.resolve(this.primary, input);
    if (!this.rootList.some((r) => isInside(absolute, r.real) || isInside(absolute, r.given))) {
      throw new WorkspacePathError(`${input}: outside the workspace (${this.describeRoots()})`);
    }
    const real = await this.realOrAncestor(absolute, input, use);
    if (!this.contains(real)) {
      throw new WorkspacePathError(
        `${input}: leads outside the workspace through a symbolic link (${this.describeRoots()})`,
      );
    }
    return real;
  }

  /** Whether a real path lies inside one of the roots. */
  contains(real: string): boolean {
    return this.rootList.some((r) => isInside(real, r.real));
  }

  /** "roots: /a, /b", for messages. */
  describeRoots(): string {
    return `${this.rootList.length === 1 ? 'root' : 'roots'}: ${this.roots.join(', ')}`;
  }

  private async realOrAncestor(absolute: string, input: string, use: PathUse): Promise<string> {
    try {
      return await realpath(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new WorkspacePathError(`${input}: ${errorMessage(error)}`);
      if (use === 'read') throw new WorkspacePathError(`${input}: no such file or folder`);
    }
    // A new file: the nearest existing ancestor decides (a dangling symlink on the way counts as leaving).
    const rest: string[] = [];
    let at = absolute;
    for (;;) {
      const parent = path.dirname(at);
      rest.unshift(path.basename(at));
      if (parent === at) throw new WorkspacePathError(`${input}: no existing folder above it`);
      at = parent;
      let real: string;
      try {
        real = await realpath(at);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new WorkspacePathError(`${input}: ${errorMessage(error)}`);
        continue;
      }
      // The first missing step exists after all if it is a dangling symbolic link: writing would follow it.
      if (await exists(path.join(at, rest[0]!))) {
        throw new WorkspacePathError(`${input}: goes through a symbolic link that points nowhere; refused`);
      }
      return path.join(real, ...rest);
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Whether `child` is `parent` or below it (both absolute and normalised). */
export function isInside(child: string, parent: string): boolean {
  if (child === parent) return true;
  const prefix = parent.endsWith(path.sep) ? parent : `${parent}${path.sep}`;
  return child.startsWith(prefix);
}
