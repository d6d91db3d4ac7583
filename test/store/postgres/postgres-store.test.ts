/**
 * What only the PostgreSQL store has beyond the contract: a deadline ended by exactly one of several processes,
 * on the database's clock; queued work taken once each by several claimers, by priority then age; the change
 * feed across a lost LISTEN connection; one line at start-up for an unreachable or unmigrated database.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { InMemoryEventBus } from '../../../src/events/in-memory-event-bus.js';
import type { Claim, Task } from '../../../src/model/task.js';
import { openStore } from '../../../src/store/open-store.js';
import { PostgresTaskStore } from '../../../src/store/postgres/postgres-task-store.js';
import type { Change } from '../../../src/store/task-store.js';
import { TaskService } from '../../../src/tasks/task-service.js';
import { eventually } from '../../helpers/core.js';
import { createDatabase, describePostgres } from '../../helpers/postgres.js';
import type { TestDatabase } from '../../helpers/postgres.js';
import { task } from '../../helpers/records.js';

describePostgres('PostgreSQL store (postgres only)', () => {
  let db: TestDatabase;
  const opened: PostgresTaskStore[] = [];
  const open = async (options: { readOnly?: boolean } = {}) => {
    const store = await PostgresTaskStore.open({ url: db.url, pollMs: 100, ...options });
    opened.push(store);
    return store;
  };
  beforeEach(async () => {
    db = await createDatabase();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    await db.drop();
  });

  it('is what openStore opens for a postgres:// URL', async () => {
    const store = await openStore(db.url);
    try {
      expect(store).toBeInstanceOf(PostgresTaskStore);
    } finally {
      await store.close();
    }
  });

  it('lets the calls in flight share one transaction, a throwing one taking back only its own writes', async () => {
    const store = await open();
    const head = await store.headSeq();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.transact((tx) => {
          tx.putTask(task(`b${i}`));
          const { seq } = tx.addInbox({
            recipient: 'bob',
            event: 'message.received',
            from: 'alice',
            task_id: null,
            content: `m${i}`,
            created_at: new Date().toISOString(),
          });
          if (i === 7) throw new Error('no');
          return seq;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(await store.getTask('b7')).toBeUndefined();
    expect(await store.countTasks({ idPrefix: 'b' })).toBe(19);
    // Seqs without a gap: the failed call's numbers went to the next one.
    expect(await store.headSeq()).toBe(head + 38);
    const inbox = await store.inbox('bob', head, 100);
    expect(inbox.map((i) => i.content)).not.toContain('m7');
    const acknowledged = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(inbox.map((i) => i.seq)).toEqual(acknowledged);
  });

  it('ends an overdue task exactly once among three processes, each party told once', async () => {
    const stores = [await open(), await open(), await open()];
    const past = new Date(Date.now() - 1000).toISOString();
    await stores[0]!.transact((tx) => tx.putTask(task('late', { deadline: past })));
    const services = stores.map(
      (store) => new TaskService({ store, bus: new InMemoryEventBus(), defaultTimeoutSeconds: 60 }),
    );
    const ended = await Promise.all(services.flatMap((s) => [s.expire('late'), s.expire('late')]));
    expect(ended.filter((t) => t !== null)).toHaveLength(1);
    expect((await stores[1]!.getTask('late'))?.status).toBe('timed_out');
    for (const party of ['alice', 'bob']) {
      const items = await stores[2]!.inbox(party, 0, 100);
      expect(items.filter((i) => i.event === 'task.notification.timeout')).toHaveLength(1);
    }
  });

  it("decides a deadline on the database's clock, not on a machine's clock that runs ahead", async () => {
    const store = await open();
    const soon = new Date(Date.now() + 3600_000).toISOString();
    await store.transact((tx) => tx.putTask(task('later', { deadline: soon })));
    const ahead = new TaskService({
      store,
      bus: new InMemoryEventBus(),
      defaultTimeoutSeconds: 60,
      now: () => new Date(Date.now() + 2 * 3600_000),
    });
    expect(await ahead.expire('later')).toBeNull();
    expect((await store.getTask('later'))?.status).toBe('in_progress');
  });

  it('gives queued work to three claimers once each, by priority then age', async () => {
    const stores = [await open(), await open(), await open()];
    const priorities = ['low', 'normal', 'high', 'urgent'] as const;
    const tasks = Array.from({ length: 40 }, (_, i) => task(`q${i}`, { priority: priorities[i % 4] }));
    await stores[0]!.transact((tx) => tasks.forEach((t) => tx.putTask(t)));
    const takeAll = async (store: PostgresTaskStore, runner: string) => {
      const won: Claim[] = [];
      for (;;) {
        const page = await store.findTasks({ claimable: true, order: 'runnable', limit: 5 });
        if (page.tasks.length === 0) return won;
        for (const t of page.tasks) {
          const claim = await store.claim(t.id, runner, 60_000);
          if (claim) won.push(claim);
        }
      }
    };
    const won = await Promise.all(stores.map((s, i) => takeAll(s, `runner-${i}`)));
    const all = won.flat().map((c) => c.task_id);
    expect(all.sort()).toEqual(tasks.map((t) => t.id).sort());
    // Each claimer took its work in runnable order.
    const rank = (id: string) => ['urgent', 'high', 'normal', 'low'].indexOf(tasks.find((t) => t.id === id)!.priority);
    for (const mine of won) {
      const ranks = mine.map((c) => rank(c.task_id));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    }
  });

  it("delivers another process's changes after its LISTEN connection was cut (the poll, then the reconnect)", async () => {
    const here = await open();
    const there = await open();
    const heard: Change[] = [];
    here.subscribe(await here.headSeq(), (c) => heard.push(c));
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'",
        [db.name],
      );
    } finally {
      await admin.end();
    }
    for (let i = 0; i < 5; i++) await there.transact((tx) => tx.putTask(task(`after-cut-${i}`)));
    await eventually(() => heard.length === 5, 10_000, 'the changes made while the listener was down');
    expect(heard.map((c) => (c as { task: Task }).task.id)).toEqual(
      Array.from({ length: 5 }, (_, i) => `after-cut-${i}`),
    );
  });

  it('stops start-up with one line when the database cannot be reached', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const error = await openStore(`postgres://baton@127.0.0.1:${port}/nowhere`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}/nowhere: connection refused`));
    expect((error as Error).message).not.toContain('\n');
  });

  it('stops a read-only start on an unmigrated database with one line, creating nothing', async () => {
    const error = await openStore(db.url, { readOnly: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/schema version 0, this Baton needs 1/);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const tables = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
      expect(tables.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
