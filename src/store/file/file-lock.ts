/**
 * The cross-process lock of a store file (proper-lockfile on PATH.lock). Taking and dropping it costs two folder
 * operations (~0.5 ms), so a writer keeps it as a lease while batches keep coming: dropped after IDLE_MS without
 * one, or, when another process is waiting for it, after MAX_MS of holding (then taken again only after a short
 * pause, so that the other one gets its turn). A process that finds the lock taken says it waits with a file
 * PATH.lock-wait.<pid>-<random> until it has the lock; a holder that sees none keeps its lease.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { StoreError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

const IDLE_MS = 25;
const MAX_MS = 200;
const YIELD_MS = 2;
/** PATH + this + pid: the file a process waiting for the lock keeps while it waits. */
const WAIT_INFIX = '.lock-wait.';
/** Longer than a waiter waits (its retries: 2,000 of at most 10 ms); an older wait file is a dead waiter's. */
const WAIT_FRESH_MS = 30_000;

type Release = () => void | Promise<void>;

export class FileLock {
  private lease: { release: Release; since: number } | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** This lock's name among those waiting for it: the pid, and a random part (two stores in one process). */
  private readonly waiter = `${process.pid}-${randomBytes(3).toString('hex')}`;

  /**
   * @param serialize runs the idle release in line with the store's other disk work
   * @param beforeRelease runs while the lease is still held, before it is let go (the store makes what it wrote
   *   without a sync durable, while the journal is surely still the one it wrote to)
   */
  constructor(
    private readonly file: string,
    private readonly log: Logger,
    private readonly serialize: (fn: () => Promise<void>) => Promise<void>,
    private readonly beforeRelease: () => Promise<void> = async () => undefined,
  ) {}

  /** This process holds the lock as a lease now: no other process can write the store meanwhile. */
  get held(): boolean {
    return this.lease !== null;
  }

  /** Runs `fn` holding the lock for this one piece of work (opening the store). */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.take();
    try {
      return await fn();
    } finally {
      await safely(release);
    }
  }

  /**
   * Runs a batch holding the lock, keeping it afterwards as a lease (see above). `fn` is told whether the lock was
   * taken for it: if not, this process has held it since its last batch, and nobody else has written meanwhile.
   */
  async withLease<T>(fn: (taken: boolean) => Promise<T>): Promise<T> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.lease && Date.now() - this.lease.since > MAX_MS) {
      if (othersWaiting(this.file, this.waiter)) {
        await this.release();
        await new Promise((r) => setTimeout(r, YIELD_MS));
      } else {
        this.lease.since = Date.now();
      }
    }
    const taken = !this.lease;
    if (!this.lease) this.lease = { release: await this.take(), since: Date.now() };
    try {
      return await fn(taken);
    } finally {
      this.idleTimer = setTimeout(() => void this.serialize(() => this.release()), IDLE_MS);
      this.idleTimer.unref();
    }
  }

  /** Drops the lease, if held. */
  async release(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.lease) await this.beforeRelease();
    const lease = this.lease;
    this.lease = null;
    if (lease) await safely(lease.release);
  }

  /** Takes the lock: at once when it is free, else through the retry policy. */
  private async take(): Promise<Release> {
    const options = {
      lockfilePath: `${this.file}.lock`,
      realpath: false,
      stale: 5000,
      onCompromised: (error: Error) => {
        this.lease = null;
        this.log.error('store lock compromised', { error: error.message });
      },
    };
    try {
      return lockfile.lockSync(this.file, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new StoreError(`cannot lock store ${this.file}: ${errorMessage(error)}`, { cause: error });
      }
    }
    const waiting = `${this.file}${WAIT_INFIX}${this.waiter}`;
    try {
      writeFileSync(waiting, '');
    } catch {
      // An unwritable folder: the holder still lets go when it goes idle.
    }
    try {
      return await lockfile.lock(this.file, {
        ...options,
        retries: { retries: 2000, minTimeout: 1, maxTimeout: 10, factor: 1.3, randomize: true },
      });
    } catch (error) {
      throw new StoreError(`cannot lock store ${this.file}: ${errorMessage(error)}`, { cause: error });
    } finally {
      rmSync(waiting, { force: true });
    }
  }
}

/**
 * Whether someone else waits for the lock of `file`: a PATH.lock-wait.<pid>-<random> file not `self`'s, younger than
 * the longest wait. An older one is a dead waiter's (a process killed while it waited; pids mean nothing across
 * containers), and is removed.
 */
function othersWaiting(file: string, self: string): boolean {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}${WAIT_INFIX}`;
  let waiting = false;
  try {
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(prefix) || name === `${prefix}${self}`) continue;
      const waitFile = path.join(dir, name);
      if (Date.now() - statSync(waitFile).mtimeMs < WAIT_FRESH_MS) waiting = true;
      else rmSync(waitFile, { force: true });
    }
  } catch {
    return true; // cannot tell (or the file went meanwhile): let go, as if someone waited
  }
  return waiting;
}

/** Releases a lock, ignoring one that was already lost (compromised). */
async function safely(release: Release): Promise<void> {
  try {
    await release();
  } catch {
    // nothing left to release
  }
}
