/**
 * How a process hears that others wrote the journal: a watch of the store's folder (fs.watch, inotify) as soon as
 * the journal is written or replaced, and a poll as its fallback (every 200 ms, or 1 s while the watch works). Each
 * hint is one `look`, one at a time; a hint during a look runs another after it.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

export interface FollowerOptions {
  /** The store's snapshot path: the journal is `${file}.journal`, in the same folder. */
  file: string;
  /** Watch the folder. Default true. */
  watch?: boolean;
  /** The poll's period in ms; 0: none. Default 200, or 1000 while the folder is watched. */
  pollMs?: number;
  log: Logger;
  /** Whether a look is worth it now (something moved, and not by this process). */
  moved(): boolean;
  /** Applies what others appended and tells the subscribers. */
  look(): Promise<void>;
}

export class JournalFollower {
  private watcher: FSWatcher | null = null;
  private poller: NodeJS.Timeout | null = null;
  private looking = false;
  private lookAgain = false;
  private closed = false;

  constructor(private readonly options: FollowerOptions) {
    if (options.watch !== false) this.watchFolder();
    const pollMs = options.pollMs ?? (this.watcher ? 1000 : 200);
    if (pollMs > 0) {
      this.poller = setInterval(() => this.hint(), pollMs);
      this.poller.unref();
    }
  }

  close(): void {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    this.watcher?.close();
  }

  private watchFolder(): void {
    const { file, log } = this.options;
    const journal = `${path.basename(file)}.journal`;
    try {
      this.watcher = watch(path.dirname(file), { persistent: false }, (_event, name) => {
        if (name === null || name === journal) this.hint();
      });
      this.watcher.on('error', (error) => {
        log.warn('cannot watch the store journal; polling instead', { error: errorMessage(error) });
        this.watcher?.close();
        this.watcher = null;
      });
    } catch (error) {
      log.debug('cannot watch the store journal; polling', { error: errorMessage(error) });
      this.watcher = null;
    }
  }

  /** Something may have moved: one look at a time. */
  private hint(): void {
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    if (this.closed || !this.options.moved()) return;
    this.looking = true;
    this.options
      .look()
      .catch((error: unknown) => this.options.log.warn('store refresh failed', { error: errorMessage(error) }))
      .finally(() => {
        this.looking = false;
        if (this.lookAgain) {
          this.lookAgain = false;
          this.hint();
        }
      });
  }
}
