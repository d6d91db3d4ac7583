/**
 * Where the workspace tools of a run act (SPEC §2 `--workspace`, §8): the roots the host declares through MCP
 * `roots/list` for runs started by that client, else the configured `--workspace` folders (default: the directory
 * Baton was started in). A child run works in its parent's roots. When the operator gave `--workspace` explicitly, a
 * host's roots must lie inside those folders: a client may narrow the workspace, never widen it.
 */
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { isInside } from '../tools/workspace/workspace.js';
import { Workspace } from '../tools/workspace/index.js';

/** Asks a client for its roots: absolute folder paths (file:// URIs already turned into paths). */
export type RootsSource = () => Promise<string[]>;

export interface RunWorkspacesOptions {
  /** Absolute folders: `--workspace`, or the start directory. */
  configured: readonly string[];
  /** True when `--workspace` was given: host roots outside it are dropped. */
  explicit: boolean;
  log: Logger;
  /** The roots of a connected client of `agentId` that declared the capability (for background tasks). */
  rootsFor?: (agentId: string) => RootsSource | undefined;
}

export class RunWorkspaces {
  private readonly sources = new Map<string, RootsSource>();
  private readonly byTask = new Map<string, Promise<Workspace>>();

  constructor(private readonly options: RunWorkspacesOptions) {}

  /** Remembers the client behind a session, for the runs of that session. */
  setSource(sessionId: string, source: RootsSource): void {
    this.sources.set(sessionId, source);
  }

  forgetSession(sessionId: string): void {
    this.sources.delete(sessionId);
  }

  /** The workspace of a run, resolved once per task; a child takes its parent's. */
  forRun(
    task: { id: string; parent_task_id: string | null; delegated_by: string },
    sessionId: string,
  ): Promise<Workspace> {
    let workspace = this.byTask.get(task.id);
    if (!workspace) {
      const parent = task.parent_task_id ? this.byTask.get(task.parent_task_id) : undefined;
      workspace = parent ?? this.resolve(this.sources.get(sessionId) ?? this.options.rootsFor?.(task.delegated_by));
      this.byTask.set(task.id, workspace);
      workspace.catch(() => this.byTask.delete(task.id));
    }
    return workspace;
  }

  /** Forgets a run's workspace when the run ends. */
  release(taskId: string): void {
    this.byTask.delete(taskId);
  }

  private async resolve(source: RootsSource | undefined): Promise<Workspace> {
    const { configured, explicit, log } = this.options;
    if (source) {
      let declared: string[] = [];
      try {
        declared = await source();
      } catch (error) {
        log.warn('could not read the client roots; using the configured workspace', { error: errorMessage(error) });
      }
      const kept = explicit ? bound(declared, configured) : declared;
      if (explicit && kept.length < declared.length) {
        log.warn('client roots outside --workspace are not used', {
          dropped: declared.filter((root) => !kept.includes(root)),
          workspace: configured,
        });
      }
      if (kept.length > 0) return Workspace.open(kept);
    }
    return Workspace.open(configured);
  }
}

/** The host roots that lie inside a configured folder (a root above one is narrowed to that folder). */
function bound(declared: readonly string[], configured: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of declared.map((r) => path.resolve(r))) {
    const inside = configured.some((dir) => isInside(root, dir));
    if (inside) out.push(root);
    else out.push(...configured.filter((dir) => isInside(dir, root)));
  }
  return [...new Set(out)];
}
