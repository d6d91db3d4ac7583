/**
 * Agent discovery (SPEC §2, §3): reads every definition file in an ordered list of folders, keeps the good ones,
 * records the bad ones as problems. The first folder wins when two files define the same id. The bundled agents are
 * the lowest layer under every folder: a user's file with the same id replaces the bundled one, silently.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { isAgentFile, type AgentDefinition, type AgentProblem } from './definition.js';
import { readAgentDefinition } from './definition-reader.js';

/** Where to look for agents: the result of `resolveAgentFolders`, the input of `AgentRegistry`. */
export interface AgentFolders {
  /** Folders in precedence order. */
  folders: string[];
  /** True when the folders were asked for (flag or env): a missing one is then a problem, not silence. */
  explicit: boolean;
  /** The bundled agents: always loaded below `folders`; unset with `--no-bundled-agents`. */
  bundledDir?: string | undefined;
}

/** The inputs of SPEC §2's `--agents` default. */
export interface ResolveAgentFoldersInput {
  /** `--agents DIR` values, in order. */
  flagDirs?: readonly string[] | undefined;
  /** `BATON_AGENTS`: a path list separated by `path.delimiter`. */
  envPath?: string | undefined;
  cwd: string;
  home: string;
  /** The bundled agents folder, or null with `--no-bundled-agents`. */
  bundledDir: string | null;
}

/** The bundled example agents: `agents/` at the package root (two levels up from src/agents or dist/agents). */
export function bundledAgentsDir(): string {
  return fileURLToPath(new URL('../../agents/', import.meta.url));
}

/**
 * SPEC §2, §3: the `--agents` flags, else `BATON_AGENTS`, else `./agents`, `./.claude/agents`, `~/.baton/agents`,
 * `~/.claude/agents`; the bundled folder below them all. Default folders that do not exist are simply empty at
 * load time, so one created later is picked up on the next reload.
 */
export function resolveAgentFolders(input: ResolveAgentFoldersInput): AgentFolders {
  const resolveDir = (dir: string) => path.resolve(input.cwd, expandHome(dir, input.home));
  const flagDirs = (input.flagDirs ?? []).map((dir) => dir.trim()).filter((dir) => dir.length > 0);
  const envDirs = (input.envPath ?? '')
    .split(path.delimiter)
    .map((dir) => dir.trim())
    .filter((dir) => dir.length > 0);
  const explicit = flagDirs.length > 0 ? flagDirs : envDirs;
  const bundled = input.bundledDir === null ? {} : { bundledDir: path.resolve(input.cwd, input.bundledDir) };
  if (explicit.length > 0) return { folders: unique(explicit.map(resolveDir)), explicit: true, ...bundled };
  return {
    folders: unique([
      path.resolve(input.cwd, 'agents'),
      path.resolve(input.cwd, '.claude', 'agents'),
      path.resolve(input.home, '.baton', 'agents'),
      path.resolve(input.home, '.claude', 'agents'),
    ]),
    explicit: false,
    ...bundled,
  };
}

/** Options of an `AgentRegistry`. */
export interface AgentRegistryOptions extends AgentFolders {
  logger?: Logger | undefined;
}

/** The discovered agents; `load()` rereads every folder and swaps the result in at once. */
export class AgentRegistry {
  private readonly options: AgentRegistryOptions;
  private readonly logger: Logger;
  private agents = new Map<string, AgentDefinition>();
  private problemList: AgentProblem[] = [];
  private loadedFolders: string[] = [];
  private currentFingerprint = fingerprintOf([], []);
  private readonly listeners = new Set<() => void>();
  private loading: Promise<void> = Promise.resolve();

  constructor(options: AgentRegistryOptions) {
    this.options = { ...options, folders: [...options.folders] };
    this.logger = options.logger ?? silentLogger;
  }

  /** Rereads every folder (serialised with any load in progress); never throws for a bad file or folder. */
  load(): Promise<void> {
    const next = this.loading.then(() => this.loadOnce());
    this.loading = next.catch(() => undefined);
    return next;
  }

  /** Every valid agent, sorted by id. */
  list(): AgentDefinition[] {
    return [...this.agents.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The agent with this id, if one was loaded. */
  get(id: string): AgentDefinition | undefined {
    return this.agents.get(id);
  }

  /** Bad files, missing explicit folders and duplicate ids found by the last load. */
  problems(): AgentProblem[] {
    return [...this.problemList];
  }

  /** The folders the last load read, in precedence order, the bundled folder last. */
  folders(): string[] {
    return [...this.loadedFolders];
  }

  /** Every folder that can contribute agents: the configured ones, then the bundled one (for watching). */
  sourceFolders(): string[] {
    const { folders, bundledDir } = this.options;
    return bundledDir && !folders.includes(bundledDir) ? [...folders, bundledDir] : [...folders];
  }

  /** Calls `listener` after a load that changed the agents or the problems; returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async loadOnce(): Promise<void> {
    const { folders, explicit, bundledDir } = this.options;
    const agents = new Map<string, AgentDefinition>();
    const problems: AgentProblem[] = [];
    const loadedFolders = [...folders];

    for (const folder of folders) await readFolder(folder, explicit, agents, problems);
    if (bundledDir && !folders.includes(bundledDir)) {
      // The lowest layer: a bundled agent whose id a user's file already defines is replaced, not a duplicate.
      const bundled = new Map<string, AgentDefinition>();
      await readFolder(bundledDir, true, bundled, problems);
      for (const [id, agent] of bundled) if (!agents.has(id)) agents.set(id, agent);
      loadedFolders.push(bundledDir);
    }

    const previous = new Set(this.problemList.map(problemKey));
    for (const problem of problems) {
      // A reload repeats the problems of files nobody touched; warn about each one once.
      if (!previous.has(problemKey(problem))) this.logger.warn('agent definition problem', { ...problem });
    }

    this.agents = agents;
    this.problemList = problems;
    this.loadedFolders = loadedFolders;
    const fingerprint = fingerprintOf([...agents.values()], problems);
    if (fingerprint === this.currentFingerprint) return;
    this.currentFingerprint = fingerprint;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        // One failing listener must not stop the others.
        this.logger.error('agent change listener failed', { error: errorMessage(error) });
      }
    }
  }
}

async function readFolder(
  folder: string,
  reportMissing: boolean,
  agents: Map<string, AgentDefinition>,
  problems: AgentProblem[],
): Promise<void> {
  let names: string[];
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    // Any kind of entry: the reader refuses what is not a regular file, as a problem.
    names = entries
      .filter((entry) => isAgentFile(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (reportMissing) problems.push({ path: folder, reason: 'agents folder not found' });
      return;
    }
    problems.push({ path: folder, reason: `cannot read the agents folder: ${errorMessage(error)}` });
    return;
  }

  for (const name of names) {
    const file = path.join(folder, name);
    const parsed = await readAgentDefinition(file);
    // Removed between readdir and the read: the next reload will not see it either.
    if (parsed === null) continue;
    if (!parsed.ok) {
      problems.push(parsed.problem);
      continue;
    }
    const winner = agents.get(parsed.agent.id);
    if (winner) {
      problems.push({
        path: file,
        reason: `duplicate agent id '${parsed.agent.id}': ignored, ${winner.path} defines it first and wins`,
      });
      continue;
    }
    agents.set(parsed.agent.id, parsed.agent);
  }
}

function expandHome(dir: string, home: string): string {
  if (dir === '~') return home;
  if (dir.startsWith('~/') || dir.startsWith(`~${path.sep}`)) return path.join(home, dir.slice(2));
  return dir;
}

function unique(dirs: string[]): string[] {
  return [...new Set(dirs)];
}

function problemKey(problem: AgentProblem): string {
  return `${problem.path}\n${problem.reason}`;
}

function fingerprintOf(agents: AgentDefinition[], problems: AgentProblem[]): string {
  const sorted = [...agents].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return JSON.stringify([sorted, problems]);
}

/** The registry over the folders SPEC §2 names (explicit `dirs`, else the defaults) and the bundled layer, loaded. */
export async function openAgentRegistry(options: {
  dirs: readonly string[] | null;
  cwd: string;
  home: string;
  /** False with `--no-bundled-agents`. Default true. */
  bundled?: boolean;
  logger?: Logger;
}): Promise<AgentRegistry> {
  const registry = new AgentRegistry({
    ...resolveAgentFolders({
      ...(options.dirs ? { flagDirs: options.dirs } : {}),
      cwd: options.cwd,
      home: options.home,
      bundledDir: options.bundled === false ? null : bundledAgentsDir(),
    }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await registry.load();
  return registry;
}
