/**
 * The task store contract (SPEC §9): what every backend must do, run by each backend's test file with its own
 * harness (`describeStoreContract('file', harness)`). A second process on the same store is a child process
 * (`peer.mjs`) that opens it with `openStore(location)`, so a new backend needs only a harness.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError, LeaseLostError, StoreError } from '../../src/errors.js';
import type { NewInboxItem } from '../../src/model/inbox.js';
import type { Claim, Task } from '../../src/model/task.js';
import type { Change, StoreOpenOptions, TaskStore } from '../../src/store/task-store.js';
import { eventually } from '../helpers/core.js';
import { task } from '../helpers/records.js';

/** One fresh store location for one test, and what only the backend knows how to do to it. */
export interface StoreHarness {
  /** What `openStore` takes: a file path, a database URL. */
  location: string;
  open(options?: StoreOpenOptions): Promise<TaskStore>;
  /** Makes the stored data unreadable; resolves to a check that it is still exactly as damaged. */
  damage(): Promise<() => Promise<void>>;
  /** Makes the store look written by a newer Baton. */
  setSchemaVersion(version: number): Promise<void>;
  cleanup(): Promise<void>;
}

const PEER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peer.mjs');
const DAY = 24 * 3600 * 1000;

/** Another process on the same store. */
class Peer {
  readonly changes: Array<{ seq: number; kind: string; id: string }> = [];
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(private readonly child: ChildProcess) {}

  static async start(location: string): Promise<Peer> {
    const child = fork(PEER, [location], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const peer = new Peer(child);
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message: Record<string, unknown>) => {
        if (message.ready) resolve();
        else if (message.change) peer.changes.push(message.change as Peer['changes'][number]);
        else {
          const pending = peer.waiting.get(message.id as number);
          peer.waiting.delete(message.id as number);
          if (message.ok) pending?.resolve(message.value);
          else pending?.reject(new Error(String(message.error)));
        }
      });
      child.once('exit', (code) => reject(new Error(`the peer exited (${code}) before it was ready`)));
    });
    return peer;
  }

  request<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, ...args });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('close').catch(() => this.child.kill('SIGKILL'));
    await exited;
  }
}

const item = (recipient: string, content: string): NewInboxItem => ({
  recipient,
  event: 'message.received',
  from: 'alice',
  task_id: null,
  content,
  created_at: new Date().toISOString(),
});

const put = (store: TaskStore, ...tasks: Task[]) =>
  store.transact((tx) => {
    for (const t of tasks) tx.putTask(t);
  });

const ids = (tasks: Task[]) => tasks.map((t) => t.id);

export function describeStoreContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`task store contract: ${name}`, () => {
    let harness: StoreHarness;
    const opened: TaskStore[] = [];
    const peers: Peer[] = [];
    const open = async (options?: StoreOpenOptions) => {
      const store = await harness.open(options);
      opened.push(store);
      return store;
    };
    const peer = async () => {
      const p = await Peer.start(harness.location);
      peers.push(p);
      return p;
    };
    beforeEach(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      for (const p of peers.splice(0)) await p.close();
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
      await harness.cleanup();
    });

    describe('transactions', () => {
      it('applies all of a transaction or, when it throws, nothing', async () => {
        const store = await open();
        await put(store, task('a'), task('b'));
        await expect(
          store.transact((tx) => {
            tx.putTask(task('c'));
            tx.putTask({ ...task('a'), status: 'completed' });
            throw new Error('no');
          }),
        ).rejects.toThrow('no');
        expect(await store.getTask('c')).toBeUndefined();
        expect((await store.getTask('a'))?.status).toBe('in_progress');
        expect(ids(await store.getTasks(['a', 'b', 'c']))).toEqual(['a', 'b']);
      });

      it('sees its own writes, children and dependants included, and gives seqs in commit order', async () => {
        const store = await open();
        await put(store, task('parent'));
        const seen = await store.transact(async (tx) => {
          tx.putTask(task('child', { parent_task_id: 'parent', root_task_id: 'parent', depends_on: ['parent'] }));
          tx.putTask({ ...task('parent'), status_message: 'busy' });
          return {
            parent: (await tx.getTask('parent'))?.status_message,
            children: ids(await tx.children('parent')),
            dependants: ids(await tx.dependants('parent')),
          };
        });
        expect(seen).toEqual({ parent: 'busy', children: ['child'], dependants: ['child'] });
        const [parent, child] = await store.getTasks(['parent', 'child']);
        expect(child!.created_seq).toBe(child!.seq);
        expect(parent!.seq).toBeGreaterThan(child!.seq);
        expect(parent!.created_seq).toBeLessThan(child!.created_seq);
        expect(await store.headSeq()).toBe(parent!.seq);
      });

      it('keeps every acknowledged change across a reopen', async () => {
        const store = await open();
        await put(store, task('kept'));
        const seq = await store.transact((tx) => tx.addInbox(item('bob', 'hello')).seq);
        await store.close();
        const again = await open();
        expect((await again.getTask('kept'))?.description).toBe('task kept');
        expect(await again.inbox('bob', 0, 10)).toMatchObject([{ seq, content: 'hello' }]);
      });

      it('refuses every call once closed, with a StoreError', async () => {
        const store = await open();
        await store.close();
        await expect(store.getTask('a')).rejects.toThrow(StoreError);
        await expect(put(store, task('a'))).rejects.toThrow(StoreError);
      });
    });

    describe('two processes', () => {
      it('lose no write when both write at once, and each reads what the other acknowledged', async () => {
        const store = await open();
        const other = await peer();
        const N = 60;
        const mine = Array.from({ length: N }, (_, i) => task(`mine-${i}`));
        const theirs = Array.from({ length: N }, (_, i) => task(`theirs-${i}`));
        const [, seqs] = await Promise.all([
          Promise.all(mine.map((t) => put(store, t))).then(() =>
            Promise.all(
              Array.from({ length: 20 }, (_, i) => store.transact((tx) => tx.addInbox(item('bob', `m${i}`)).seq)),
            ),
          ),
          other
            .request<number>('put', { tasks: theirs })
            .then(() =>
              other.request<number[]>('inbox', { items: Array.from({ length: 20 }, (_, i) => item('bob', `t${i}`)) }),
            ),
        ]);
        // Acknowledged by the other process: readable here at once, no waiting.
        expect(await store.getTasks(ids(theirs))).toHaveLength(N);
        expect(await store.countTasks({})).toBe(2 * N);
        const inbox = await store.inbox('bob', 0, 100);
        expect(inbox).toHaveLength(40);
        expect(inbox.map((i) => i.seq)).toEqual([...inbox.map((i) => i.seq)].sort((a, b) => a - b));
        expect(new Set(inbox.map((i) => i.seq)).size).toBe(40);
        for (const seq of seqs) expect(inbox.some((i) => i.seq === seq)).toBe(true);
      });

      it('give each task to exactly one of two claimers', async () => {
        const store = await open();
        const tasks = Array.from({ length: 30 }, (_, i) => task(`job-${i}`));
        await put(store, ...tasks);
        const other = await peer();
        const [here, there] = await Promise.all([
          Promise.all(tasks.map((t) => store.claim(t.id, 'runner-here', 60_000))),
          other.request<Array<Claim | null>>('claim', { ids: ids(tasks), runner: 'runner-there', leaseMs: 60_000 }),
        ]);
        tasks.forEach((t, i) => expect([here[i], there[i]].filter(Boolean)).toHaveLength(1));
        for (const t of await store.getTasks(ids(tasks))) {
          const winner = here[tasks.findIndex((x) => x.id === t.id)] ? 'runner-here' : 'runner-there';
          expect(t.claim).toMatchObject({ runner: winner, epoch: 1 });
        }
      });

      it("deliver the other process's changes to a subscriber once each, in seq order", async () => {
        const store = await open();
        const heard: Change[] = [];
        store.subscribe(await store.headSeq(), (c) => heard.push(c));
        const other = await peer();
        const theirs = Array.from({ length: 25 }, (_, i) => task(`remote-${i}`));
        await other.request('put', { tasks: theirs });
        await other.request('inbox', { items: [item('carol', 'hi')] });
        await eventually(() => heard.some((c) => c.kind === 'inbox'), 5000, 'the remote changes');
        const seqs = heard.map((c) => c.seq);
        expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
        expect(
          heard
            .filter((c) => c.kind === 'task')
            .map((c) => (c as { task: Task }).task.id)
            .sort(),
        ).toEqual(ids(theirs).sort());
      });

      it('deliver this process changes to the other one, in order, exactly once', async () => {
        const store = await open();
        const other = await peer();
        await other.request('subscribe', { since: await other.request<number>('head') });
        for (let i = 0; i < 10; i++) await put(store, task(`local-${i}`));
        await store.transact((tx) => tx.putTask({ ...task('local-3'), status: 'completed' }));
        const head = await store.headSeq();
        await eventually(() => other.changes.some((c) => c.seq === head), 5000, 'the other process to hear them');
        const seqs = other.changes.map((c) => c.seq);
        expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
        expect(new Set(other.changes.map((c) => c.id))).toEqual(
          new Set(Array.from({ length: 10 }, (_, i) => `local-${i}`)),
        );
      });
    });

    describe('claims and leases', () => {
      it('takes a free claim, refuses a held one, and lets its holder take it again with a new epoch', async () => {
        const store = await open();
        await put(store, task('t'));
        const first = await store.claim('t', 'r1', 60_000);
        expect(first).toMatchObject({ task_id: 't', runner: 'r1', epoch: 1 });
        expect(await store.claim('t', 'r2', 60_000)).toBeNull();
        const again = await store.claim('t', 'r1', 60_000);
        expect(again?.epoch).toBe(2);
        expect(await store.getTask('t')).toMatchObject({ claim: { runner: 'r1', epoch: 2 }, lease_epoch: 2 });
      });

      it('claims only in_progress tasks, and in the creating transaction too', async () => {
        const store = await open();
        await put(store, task('pending', { status: 'pending' }), task('done', { status: 'completed' }));
        expect(await store.claim('pending', 'r1', 60_000)).toBeNull();
        expect(await store.claim('done', 'r1', 60_000)).toBeNull();
        expect(await store.claim('missing', 'r1', 60_000)).toBeNull();
        const claim = await store.transact(async (tx) => {
          tx.putTask(task('new'));
          return tx.claim('new', 'r1', 60_000);
        });
        expect(claim).toMatchObject({ runner: 'r1', epoch: 1 });
        expect((await store.getTask('new'))?.claim?.runner).toBe('r1');
      });

      it('lets another runner take over an expired lease with a higher epoch, and fences the old runner out', async () => {
        const store = await open();
        await put(store, task('t'));
        const old = (await store.claim('t', 'old', 50)) as Claim;
        await new Promise((r) => setTimeout(r, 120));
        const taken = (await store.claim('t', 'new', 60_000)) as Claim;
        expect(taken.epoch).toBe(old.epoch + 1);
        const before = await store.getTask('t');
        const fenced = store.transact((tx) => tx.putTask({ ...task('t'), status: 'completed' }), { fence: old });
        await expect(fenced).rejects.toThrow(LeaseLostError);
        expect(await store.getTask('t')).toEqual(before);
        await store.transact((tx) => tx.putTask({ ...(before as Task), status_message: 'mine' }), { fence: taken });
        expect((await store.getTask('t'))?.status_message).toBe('mine');
      });

      it('fences a runner of another process out after a takeover', async () => {
        const store = await open();
        await put(store, task('t'));
        const other = await peer();
        const [theirs] = await other.request<Claim[]>('claim', { ids: ['t'], runner: 'there', leaseMs: 50 });
        await new Promise((r) => setTimeout(r, 120));
        expect(await store.claim('t', 'here', 60_000)).toMatchObject({ epoch: 2 });
        expect(await other.request('fenced', { claim: theirs, task: { ...task('t'), status: 'failed' } })).toBe(
          'LeaseLostError',
        );
        expect((await store.getTask('t'))?.status).toBe('in_progress');
      });

      it('renews held claims past their first expiry, with no change delivered, and reports the lost ones', async () => {
        const store = await open();
        await put(store, task('held'), task('lost'));
        const held = (await store.claim('held', 'r1', 300)) as Claim;
        const lost = (await store.claim('lost', 'r1', 50)) as Claim;
        await new Promise((r) => setTimeout(r, 100));
        await store.claim('lost', 'r2', 60_000);
        const heard: Change[] = [];
        store.subscribe(await store.headSeq(), (c) => heard.push(c));
        expect(await store.renew([held, lost], 60_000)).toEqual([lost]);
        await new Promise((r) => setTimeout(r, 400));
        expect(await store.claim('held', 'r2', 60_000)).toBeNull();
        expect(heard).toEqual([]);
      });

      it('hands a claim back, the attempt refunded when asked, so that another runner takes it at once', async () => {
        const store = await open();
        await put(store, task('t'));
        const claim = (await store.claim('t', 'r1', 60_000)) as Claim;
        const current = (await store.getTask('t')) as Task;
        await store.transact((tx) => tx.putTask({ ...current, attempts: 1, status_message: 'running' }), {
          fence: claim,
        });
        await store.release(claim, { refundAttempt: true });
        expect(await store.getTask('t')).toMatchObject({ claim: null, attempts: 0, status_message: null });
        expect(await store.claim('t', 'r2', 60_000)).toMatchObject({ runner: 'r2', epoch: 2 });
        await store.release(claim); // no longer held: nothing happens
        expect((await store.getTask('t'))?.claim?.runner).toBe('r2');
      });
    });

    describe('change feed', () => {
      it('replays what is stored after a seq, then goes on live, in order and once', async () => {
        const store = await open();
        await put(store, task('a'));
        const afterA = await store.headSeq();
        await put(store, task('b'));
        await store.transact((tx) => tx.addInbox(item('bob', 'x')));
        const heard: Change[] = [];
        const all: Change[] = [];
        store.subscribe(afterA, (c) => heard.push(c));
        store.subscribe(0, (c) => all.push(c));
        await put(store, task('c'));
        await eventually(() => heard.length === 3 && all.length === 4, 2000, 'the changes');
        expect(heard.map((c) => c.kind)).toEqual(['task', 'inbox', 'task']);
        expect(all.map((c) => c.seq)).toEqual([...all.map((c) => c.seq)].sort((x, y) => x - y));
        expect(all.filter((c) => c.kind === 'task').map((c) => (c as { task: Task }).task.id)).toEqual(['a', 'b', 'c']);
      });

      it('stops delivering once unsubscribed', async () => {
        const store = await open();
        const heard: Change[] = [];
        const off = store.subscribe(await store.headSeq(), (c) => heard.push(c));
        await put(store, task('a'));
        await eventually(() => heard.length === 1, 2000, 'the first change');
        off();
        await put(store, task('b'));
        await new Promise((r) => setTimeout(r, 50));
        expect(heard).toHaveLength(1);
      });
    });

    describe('queries', () => {
      const world = () => [
        task('t1', { delegated_by: 'alice', assignee_id: 'bob', group: 'g', priority: 'low' }),
        task('t2', {
          delegated_by: 'bob',
          assignee_id: 'alice',
          status: 'completed',
          finished_at: new Date().toISOString(),
        }),
        task('t3', { delegated_by: 'alice', assignee_id: 'carol', group: 'g', priority: 'urgent' }),
        task('t4', {
          delegated_by: 'carol',
          assignee_id: 'dave',
          parent_task_id: 't3',
          root_task_id: 't3',
          depends_on: ['t1'],
        }),
        task('t5', { delegated_by: 'alice', assignee_id: 'bob', status: 'pending' }),
        task('t6', { delegated_by: 'dave', assignee_id: 'erin', priority: 'urgent' }),
      ];
      const find = async (store: TaskStore, query: Parameters<TaskStore['findTasks']>[0]) =>
        ids((await store.findTasks(query)).tasks);

      it('filters by each field, pushed down', async () => {
        const store = await open();
        for (const t of world()) await put(store, t);
        expect(await find(store, { party: 'alice' })).toEqual(['t5', 't3', 't2', 't1']);
        expect(await find(store, { party: 'alice', role: 'delegated_by' })).toEqual(['t5', 't3', 't1']);
        expect(await find(store, { party: 'alice', role: 'assigned_to' })).toEqual(['t2']);
        expect(await find(store, { status: ['completed', 'pending'] })).toEqual(['t5', 't2']);
        expect(await find(store, { live: true, order: 'oldest' })).toEqual(['t1', 't3', 't4', 't5', 't6']);
        expect(await find(store, { group: 'g' })).toEqual(['t3', 't1']);
        expect(await find(store, { parent: 't3' })).toEqual(['t4']);
        expect(await find(store, { root: 't3' })).toEqual(['t4', 't3']);
        expect(await find(store, { dependsOn: 't1' })).toEqual(['t4']);
        expect(await find(store, { assignees: ['bob', 'erin'] })).toEqual(['t6', 't5', 't1']);
        expect(await find(store, { idPrefix: 't4' })).toEqual(['t4']);
        expect(await store.countTasks({ party: 'alice', live: true })).toBe(3);
        expect(await store.countTasks({})).toBe(6);
      });

      it('orders runnable work by priority, then age, and finds what can be claimed', async () => {
        const store = await open();
        for (const t of world()) await put(store, t);
        await store.claim('t6', 'r1', 50);
        await store.claim('t1', 'r1', 60_000);
        expect(await find(store, { claimable: true, order: 'runnable' })).toEqual(['t3', 't4']);
        await new Promise((r) => setTimeout(r, 100));
        expect(await find(store, { claimable: true, order: 'runnable' })).toEqual(['t3', 't6', 't4']);
      });

      it('pages with cursors that stay valid while tasks are added, in every order', async () => {
        const store = await open();
        for (let i = 0; i < 7; i++) await put(store, task(`p${i}`, { priority: i % 2 ? 'high' : 'normal' }));
        for (const order of ['newest', 'oldest', 'runnable'] as const) {
          const seen: string[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const page = await store.findTasks({ order, limit: 3, cursor, idPrefix: 'p' });
            seen.push(...ids(page.tasks));
            cursor = page.next_cursor;
            if (pages++ === 0) await put(store, task(`added-${order}`));
          } while (cursor);
          expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `p${i}`));
          expect(pages).toBe(3);
        }
      });

      it('refuses a cursor it did not make, or one of another order, the same way whatever it names', async () => {
        const store = await open();
        for (let i = 0; i < 3; i++) await put(store, task(`c${i}`));
        const { next_cursor } = await store.findTasks({ limit: 1 });
        const forged = Buffer.from(JSON.stringify({ after: 'c1' })).toString('base64url');
        for (const cursor of ['garbage', forged]) {
          await expect(store.findTasks({ cursor })).rejects.toThrow(InputError);
        }
        await expect(store.findTasks({ cursor: next_cursor, order: 'oldest' })).rejects.toThrow(InputError);
      });
    });

    describe('inboxes', () => {
      it('reads by cursor, oldest first, each recipient its own items', async () => {
        const store = await open();
        const seqs: number[] = [];
        for (let i = 0; i < 5; i++) seqs.push(await store.transact((tx) => tx.addInbox(item('bob', `m${i}`)).seq));
        await store.transact((tx) => tx.addInbox(item('carol', 'other')));
        expect((await store.inbox('bob', seqs[1]!, 2)).map((i) => i.content)).toEqual(['m2', 'm3']);
        expect((await store.inbox('bob', 0, 100)).map((i) => i.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
        expect((await store.inbox('carol', 0, 100)).map((i) => i.content)).toEqual(['other']);
        expect(await store.inbox('bob', seqs[4]!, 10)).toEqual([]);
      });
    });

    describe('keeping and refusing', () => {
      it('prunes ended tasks older than the retention period and keeps the rest', async () => {
        const store = await open();
        const old = new Date(Date.now() - 40 * DAY).toISOString();
        await put(
          store,
          task('expired', { status: 'completed', finished_at: old, updated_at: old }),
          task('recent', { status: 'completed', finished_at: new Date().toISOString() }),
          task('live'),
        );
        await store.close();
        const again = await open({ retentionMs: 30 * DAY });
        expect(ids(await again.getTasks(['expired', 'recent', 'live']))).toEqual(['recent', 'live']);
      });

      it('refuses a store of a newer schema version in one line', async () => {
        await (await open()).close();
        await harness.setSchemaVersion(99);
        const error = await harness.open().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as Error).message).toMatch(/schema version 99/);
        expect((error as Error).message).not.toContain('\n');
      });

      it('refuses an unreadable store in one line and leaves it exactly as it was', async () => {
        const store = await open();
        await put(store, task('a'));
        await store.close();
        const unchanged = await harness.damage();
        const error = await harness.open().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as Error).message).not.toContain('\n');
        await unchanged();
      });
    });
  });
}
