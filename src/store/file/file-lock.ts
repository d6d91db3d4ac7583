/**
 * The cross-process lock of a store file (proper-lockfile on PATH.lock). Taking and dropping it costs two folder
 * operations (~0.5 ms), so a writer keeps it as a lease while batches keep coming: dropped after IDLE_MS without
 * one, or after MAX_MS of holding (then taken again only after a short pause, so that another process gets its turn).
 */
import lockfile from 'proper-lockfile';
import { StoreError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

const IDLE_MS = 25;
const MAX_MS = 200;
const YIELD_MS = 2;

type Release = () => void | Promise<void>;

export class FileLock {
  private lease: { release: Release; since: number } | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

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
      await this.release();
      await new Promise((r) => setTimeout(r, YIELD_MS));
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
    try {
      return await lockfile.lock(this.file, {
        ...options,
        retries: { retries: 2000, minTimeout: 1, maxTimeout: 10, factor: 1.3, randomize: true },
      });
    } catch (error) {
      throw new StoreError(`cannot lock store ${this.file}: ${errorMessage(error)}`, { cause: error });
    }
  }
}

/** Releases a lock, ignoring one that was already lost (compromised). */
async function safely(release: Release): Promise<void> {
  try {
    await release();
  } catch {
    // nothing left to release
  }
}
