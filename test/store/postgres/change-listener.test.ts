import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { PostgresChangeListener } from '../../../src/store/postgres/change-listener.js';
import type { ChangeListenerOptions } from '../../../src/store/postgres/change-listener.js';
import { openDatabase } from '../../../src/store/postgres/database.js';
import type { PostgresDatabase } from '../../../src/store/postgres/database.js';
import { allocateSeqs, headSeq, notifyChange } from '../../../src/store/postgres/sequences.js';
import { inTransaction } from '../../../src/store/postgres/transaction.js';
import { eventually } from '../../helpers/core.js';
import { describePostgres, freshDatabase } from '../../helpers/postgres.js';

/** A TCP proxy in front of the server: it can refuse new connections, or go silent on the open ones. */
class Proxy {
  private server: Server | null = null;
  private readonly pairs = new Set<{ a: Socket; b: Socket; frozen: boolean }>();
  port = 0;
  constructor(private readonly target: number) {}

  async open(): Promise<void> {
    const server = createServer((a) => {
      const b = createConnection(this.target, '127.0.0.1');
      const pair = { a, b, frozen: false };
      this.pairs.add(pair);
      a.on('data', (d) => void (pair.frozen || b.write(d)));
      b.on('data', (d) => void (pair.frozen || a.write(d)));
      const end = () => {
        this.pairs.delete(pair);
        a.destroy();
        b.destroy();
      };
      a.on('close', end).on('error', end);
      b.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Open connections stay open but carry nothing more, as behind a cut network; new ones work. */
  freeze(): void {
    for (const pair of this.pairs) pair.frozen = true;
  }

  /** Refuses new connections and ends the open ones. */
  async close(): Promise<void> {
    for (const { a, b } of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

describePostgres('PostgresChangeListener', () => {
  const dbRef = freshDatabase();
  let db: PostgresDatabase;
  let listener: PostgresChangeListener | null = null;
  let proxy: Proxy | null = null;
  const logs: string[] = [];

  beforeAll(async () => {
    db = await openDatabase(dbRef.url);
  });
  afterEach(async () => {
    await listener?.close();
    await proxy?.close();
    listener = null;
    proxy = null;
    logs.length = 0;
  });
  afterAll(async () => {
    await db?.close();
  });

  /** Commits one change, announcing it on the channel or not (a notification that got lost). */
  const commitChange = (options: { notify: boolean }) =>
    inTransaction(db.pool, async (client) => {
      const seq = await allocateSeqs(client, 1);
      if (options.notify) await notifyChange(client, seq);
      return seq;
    });

  const start = async (options: Partial<ChangeListenerOptions> = {}) => {
    const reported: number[] = [];
    listener = await PostgresChangeListener.start({
      client: db.clientConfig,
      head: () => headSeq(db.pool),
      onChange: (seq) => reported.push(seq),
      // Long by default: a test that passes got its change from a notification, not from a poll.
      pollMs: 60_000,
      backoffMs: { first: 50, max: 200 },
      log: createLogger('debug', (line) => void logs.push(line)),
      ...options,
    });
    return { listener, reported };
  };

  it('reports the head at start, then each committed change from its notification', async () => {
    const before = await commitChange({ notify: false });
    const { reported } = await start();
    expect(reported).toEqual([before]);
    const seq = await commitChange({ notify: true });
    await eventually(() => reported.includes(seq), 10_000, `seq ${seq} to be reported`);
    expect(reported).toEqual([before, seq]);
  });

  it('a lost notification only delays a change until the next poll', async () => {
    const { reported } = await start({ pollMs: 200 });
    const seq = await commitChange({ notify: false });
    await eventually(() => reported.includes(seq), 10_000, `seq ${seq} to be reported by the poll`);
  });

  it('reconnects after the server terminates its backend, catches up, and listens again', async () => {
    const { listener, reported } = await start();
    const pid = listener.backendPid;
    expect(pid).toBeTypeOf('number');
    await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    // Committed while nobody may be listening: found by the catch-up after the reconnect.
    const missed = await commitChange({ notify: true });
    await eventually(() => listener.backendPid !== null && listener.backendPid !== pid, 10_000, 'a new connection');
    await eventually(() => listener.reported >= missed, 10_000, `seq ${missed} after the reconnect`);
    // The new connection LISTENs: a notification reaches it with no poll to help.
    const next = await commitChange({ notify: true });
    await eventually(() => reported.includes(next), 10_000, `seq ${next} from a notification`);
    expect(logs.some((l) => l.includes('PostgreSQL change listener disconnected; reconnecting'))).toBe(true);
  });

  it('keeps retrying with backoff while the server cannot be reached, and resumes when it can', async () => {
    proxy = new Proxy(Number(db.clientConfig.port));
    await proxy.open();
    const { listener, reported } = await start({ client: { ...db.clientConfig, port: proxy.port } });
    await proxy.close();
    const missed = await commitChange({ notify: true });
    await eventually(
      () => logs.filter((l) => l.includes('could not reconnect')).length >= 2,
      10_000,
      'two failed reconnects',
    );
    expect(listener.backendPid).toBeNull();
    await proxy.open();
    await eventually(() => listener.reported >= missed, 10_000, `seq ${missed} once the server is back`);
    const next = await commitChange({ notify: true });
    await eventually(() => reported.includes(next), 10_000, `seq ${next} from a notification`);
  });

  it('a heartbeat finds a connection that went silent and replaces it', async () => {
    proxy = new Proxy(Number(db.clientConfig.port));
    await proxy.open();
    const { listener, reported } = await start({ client: { ...db.clientConfig, port: proxy.port }, heartbeatMs: 300 });
    const pid = listener.backendPid;
    proxy.freeze();
    const missed = await commitChange({ notify: true });
    await eventually(() => listener.backendPid !== null && listener.backendPid !== pid, 10_000, 'a new connection');
    expect(logs.some((l) => l.includes('no answer to the heartbeat within 300 ms'))).toBe(true);
    await eventually(() => listener.reported >= missed, 10_000, `seq ${missed} after the reconnect`);
    const next = await commitChange({ notify: true });
    await eventually(() => reported.includes(next), 10_000, `seq ${next} from a notification`);
  });

  it('reports each seq once and only upwards, whatever the order notifications and polls come in', async () => {
    const { reported } = await start({ pollMs: 50 });
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++) seqs.push(await commitChange({ notify: i % 2 === 0 }));
    await eventually(() => reported.includes(seqs[seqs.length - 1]!), 10_000, 'the last seq');
    expect(reported).toEqual([...new Set(reported)].sort((a, b) => a - b));
  });

  it('close() ends the connection and reports nothing more', async () => {
    const { listener, reported } = await start({ pollMs: 50 });
    const pid = listener.backendPid;
    await listener.close();
    const count = reported.length;
    await commitChange({ notify: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reported.length).toBe(count);
    await eventually(
      async () => (await db.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0,
      5_000,
      'the backend to end',
    );
  });
});
