import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/postgres/database.js';
import type { PostgresDatabase } from '../../../src/store/postgres/database.js';
import { allocateRecipientSeq, allocateSeqs, headSeq, notifyChange } from '../../../src/store/postgres/sequences.js';
import type { TransactionClient } from '../../../src/store/postgres/sequences.js';
import { eventually } from '../../helpers/core.js';
import { describePostgres, freshDatabase } from '../../helpers/postgres.js';

const RECIPIENTS = ['alice', 'bob', 'carol'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One writing transaction as the store will make it: recipients' numbers first, the change numbers last. */
async function addInbox(client: TransactionClient, recipients: string[]): Promise<void> {
  const sorted = [...recipients].sort();
  const positions: number[] = [];
  for (const r of sorted) positions.push(await allocateRecipientSeq(client, r));
  const first = await allocateSeqs(client, sorted.length);
  // Work between the allocation and the commit: a plain SEQUENCE would let commits overtake each other here.
  await sleep(Math.random() * 4);
  for (const [i, r] of sorted.entries()) {
    await client.query(
      `INSERT INTO inbox (seq, recipient, recipient_seq, event, task_id, created_at, item)
       VALUES ($1, $2, $3, 'message.received', NULL, now(), '{}')`,
      [first + i, r, positions[i]],
    );
  }
  await notifyChange(client, first + sorted.length - 1);
}

describePostgres('store sequences', () => {
  const dbRef = freshDatabase();
  let db: PostgresDatabase;
  beforeAll(async () => {
    db = await openDatabase(dbRef.url, { max: 12 });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('a second writer waits at the change counter until the first commits, then gets the next number', async () => {
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await first.query('BEGIN');
      const a = await allocateSeqs(first, 2);
      await second.query('BEGIN');
      const pid = (await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const b = allocateSeqs(second, 1);
      await eventually(
        async () => {
          const { rows } = await db.pool.query('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [pid]);
          return rows[0]?.wait_event_type === 'Lock';
        },
        10_000,
        'the second writer to wait for the counter row',
      );
      // Readers are not held up meanwhile, and see only what is committed.
      expect(await headSeq(db.pool)).toBe(a - 1);
      await first.query('COMMIT');
      expect(await b).toBe(a + 2);
      await second.query('ROLLBACK');
      // A rolled-back transaction takes its number back: no gap.
      expect(await headSeq(db.pool)).toBe(a + 1);
    } finally {
      first.release();
      second.release();
    }
  });

  it('under many concurrent committing transactions, a reader polling seq > last misses nothing and numbers never go back', async () => {
    const start = await headSeq(db.pool);
    const startRecipient = new Map<string, number>();
    for (const { recipient, value } of (await db.pool.query('SELECT recipient, value FROM inbox_counters')).rows) {
      startRecipient.set(recipient as string, Number(value));
    }
    const writers = 8;
    const perWriter = 30;
    let done = false;
    const write = async () => {
      for (let i = 0; i < perWriter; i++) {
        const client = await db.pool.connect();
        try {
          await client.query('BEGIN');
          const count = 1 + Math.floor(Math.random() * 2);
          const picked = [...RECIPIENTS].sort(() => Math.random() - 0.5).slice(0, count);
          await addInbox(client, picked);
          // Some transactions fail after allocating: their numbers must not leave holes.
          await client.query(Math.random() < 0.15 ? 'ROLLBACK' : 'COMMIT');
        } finally {
          client.release();
        }
      }
    };
    // The change feed's reader, and one reader per inbox, each polling "after my cursor".
    const seen: number[] = [];
    const seenPerRecipient = new Map<string, number[]>(RECIPIENTS.map((r) => [r, []]));
    const heads: number[] = [];
    const read = async () => {
      const reader = new pg.Client(db.clientConfig);
      await reader.connect();
      let last = start;
      const cursors = new Map(RECIPIENTS.map((r) => [r, startRecipient.get(r) ?? 0]));
      try {
        for (let final = false; ;) {
          final = done;
          heads.push(await headSeq(reader));
          const { rows } = await reader.query<{ seq: string }>('SELECT seq FROM inbox WHERE seq > $1 ORDER BY seq', [
            last,
          ]);
          for (const row of rows) seen.push(Number(row.seq));
          if (rows.length > 0) last = Number(rows[rows.length - 1]!.seq);
          for (const r of RECIPIENTS) {
            const mine = await reader.query<{ n: string }>(
              'SELECT recipient_seq AS n FROM inbox WHERE recipient = $1 AND recipient_seq > $2 ORDER BY recipient_seq',
              [r, cursors.get(r)],
            );
            for (const row of mine.rows) seenPerRecipient.get(r)!.push(Number(row.n));
            if (mine.rows.length > 0) cursors.set(r, Number(mine.rows[mine.rows.length - 1]!.n));
          }
          if (final) return;
        }
      } finally {
        await reader.end();
      }
    };
    const reading = read();
    await Promise.all(Array.from({ length: writers }, write));
    done = true;
    await reading;

    const stored = (
      await db.pool.query<{ seq: string }>('SELECT seq FROM inbox WHERE seq > $1 ORDER BY seq', [start])
    ).rows.map((r) => Number(r.seq));
    expect(stored.length).toBeGreaterThan(writers * perWriter * 0.5);
    // Everything committed was seen, once, in order: no commit appeared behind the reader's cursor.
    expect(seen).toEqual(stored);
    // Dense: rolled-back numbers were taken back.
    expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => start + 1 + i));
    expect(heads).toEqual([...heads].sort((a, b) => a - b));
    expect(await headSeq(db.pool)).toBe(start + stored.length);
    for (const r of RECIPIENTS) {
      const { rows } = await db.pool.query<{ n: string }>(
        'SELECT recipient_seq AS n FROM inbox WHERE recipient = $1 ORDER BY seq',
        [r],
      );
      const positions = rows.map((row) => Number(row.n));
      // Per recipient: 1, 2, 3… in commit (seq) order, no hole, and the inbox's reader saw every one.
      expect(positions).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
      expect(seenPerRecipient.get(r)).toEqual(positions.slice(startRecipient.get(r) ?? 0));
    }
  });
});
