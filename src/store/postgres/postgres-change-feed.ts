/**
 * The change feed of one process on a PostgreSQL store (schema.ts, `subscribe`): subscribers with a cursor each;
 * whenever the head moves (a notification, the fallback poll, a commit of this process) or someone subscribes,
 * the rows with `seq` above the lowest cursor are read in batches and each change goes to every subscriber whose
 * cursor is below it, once and in seq order. The tables hold each task and session in its latest version, so a
 * replay gives that version, as the interface says.
 */
import type pg from 'pg';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Change } from '../task-store.js';
import { INBOX_JSON, SESSION_JSON, TASK_JSON } from './schema.js';

const BATCH = 1000;

const CHANGES_SINCE = `
SELECT seq, kind, record FROM (
  (SELECT seq, 'task' AS kind, ${TASK_JSON} AS record FROM tasks WHERE seq > $1 ORDER BY seq LIMIT $2)
  UNION ALL
  (SELECT seq, 'inbox', ${INBOX_JSON} FROM inbox WHERE seq > $1 ORDER BY seq LIMIT $2)
  UNION ALL
  (SELECT seq, 'session', ${SESSION_JSON} FROM sessions WHERE seq > $1 ORDER BY seq LIMIT $2)
) AS changes ORDER BY seq LIMIT $2`;

interface Subscriber {
  listener: (change: Change) => void;
  cursor: number;
}

export class PostgresChangeFeed {
  private readonly subscribers = new Set<Subscriber>();
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly pool: Pick<pg.Pool, 'query'>,
    private readonly log: Logger,
  ) {}

  subscribe(since: number, listener: (change: Change) => void): () => void {
    const sub: Subscriber = { listener, cursor: since };
    this.subscribers.add(sub);
    // Delivered after subscribe returns, so that a listener never runs before its caller has the unsubscribe.
    this.pump();
    return () => {
      this.subscribers.delete(sub);
    };
  }

  /** The head moved, or may have: read what is new and deliver it. Never more than one read at a time. */
  pump(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.deliverAll();
        } catch (error) {
          // The next notification or poll tries again from the same cursors: nothing is skipped.
          this.log.warn('could not read the store changes', { error: errorMessage(error) });
        }
      } while (this.again && this.subscribers.size > 0);
      this.running = null;
    })();
  }

  /** Waits until what was asked so far is delivered (close, tests). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async deliverAll(): Promise<void> {
    for (;;) {
      if (this.subscribers.size === 0) return;
      const from = Math.min(...[...this.subscribers].map((s) => s.cursor));
      const result = await this.pool.query<{ seq: string; kind: Change['kind']; record: never }>(CHANGES_SINCE, [
        from,
        BATCH,
      ]);
      // The rows are every change after `from`: only a subscriber that has everything up to `from` may take them
      // (one that subscribed below it since this read began gets its own read next, so that it misses nothing).
      const ready = [...this.subscribers].filter((s) => s.cursor >= from);
      for (const row of result.rows) this.deliver(ready, toChange(Number(row.seq), row.kind, row.record));
      if (result.rows.length < BATCH) return;
    }
  }

  private deliver(ready: readonly Subscriber[], change: Change): void {
    for (const sub of ready) {
      if (!this.subscribers.has(sub) || change.seq <= sub.cursor) continue;
      sub.cursor = change.seq;
      try {
        sub.listener(change);
      } catch (error) {
        this.log.error('store change listener failed', { error: errorMessage(error) });
      }
    }
  }
}

function toChange(seq: number, kind: Change['kind'], record: never): Change {
  switch (kind) {
    case 'task':
      return { seq, kind, task: record };
    case 'inbox':
      return { seq, kind, item: record };
    case 'session':
      return { seq, kind, session: record };
  }
}
