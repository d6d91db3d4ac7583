/**
 * Hot reload (SPEC §3): adding, editing or removing a definition file reloads the registry within about a second.
 * The registry's `onChange` listeners then fire, only if the agents or the problems actually changed.
 */
import { stat } from 'node:fs/promises';
import { watch } from 'chokidar';
import { errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { isAgentFile } from './definition.js';
import type { AgentRegistry } from './registry.js';

/** Options of `watchAgents`. */
export interface WatchAgentsOptions {
  /** Called after a reload that changed the agents or the problems (same as `registry.onChange`). */
  onChange?: (() => void) | undefined;
  /** Quiet time after the last file event before reloading; an editor's save is often several events. */
  debounceMs?: number | undefined;
  logger?: Logger | undefined;
}

/** A running watcher. */
export interface AgentWatcher {
  /** Stops watching; no reload starts after it resolves. */
  close(): Promise<void>;
}

/**
 * Watches the registry's folders (those that exist now; non-recursive) and reloads it when a `.md` file is added,
 * changed or removed. Resolves once the watcher is ready, so a file written afterwards is seen.
 */
export async function watchAgents(registry: AgentRegistry, options: WatchAgentsOptions = {}): Promise<AgentWatcher> {
  const logger = options.logger ?? silentLogger;
  const debounceMs = options.debounceMs ?? 150;
  const unsubscribe = options.onChange ? registry.onChange(options.onChange) : () => undefined;

  const folders = await existingFolders(registry.sourceFolders());
  if (folders.length === 0) {
    return {
      close: async () => {
        unsubscribe();
      },
    };
  }

  const watcher = watch(folders, { ignoreInitial: true, depth: 0 });
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let reloading: Promise<void> = Promise.resolve();

  const reload = () => {
    timer = undefined;
    if (closed) return;
    reloading = registry.load().catch((error: unknown) => {
      logger.error('reloading agent definitions failed', { error: errorMessage(error) });
    });
  };
  const schedule = (file: string) => {
    if (closed || !isAgentFile(file)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  };

  watcher.on('add', schedule).on('change', schedule).on('unlink', schedule);
  watcher.on('error', (error: unknown) => logger.warn('agent folder watcher error', { error: errorMessage(error) }));
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  logger.debug('watching agent folders', { folders });

  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      await watcher.close();
      await reloading;
    },
  };
}

async function existingFolders(folders: string[]): Promise<string[]> {
  const checks = await Promise.all(
    folders.map(async (folder) => {
      try {
        return (await stat(folder)).isDirectory();
      } catch {
        return false;
      }
    }),
  );
  return folders.filter((_folder, index) => checks[index]);
}
