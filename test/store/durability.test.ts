import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LowdbTaskStore } from '../../src/store/lowdb-task-store.js';
import { tempDir, textOf } from '../helpers/core.js';
import type { StdioProcess } from '../helpers/stdio.js';
import { startStdio } from '../helpers/stdio.js';

describe('store durability through the built server', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const running: StdioProcess[] = [];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.close().catch(() => undefined);
    await cleanup();
  });
  const start = async (as: string) => {
    const p = await startStdio(['--as', as, '--store', path.join(dir, 'store.json')]);
    running.push(p);
    return p;
  };

  it('keeps every acknowledged task when the server is killed with -9 mid-flight', async () => {
    const alice = await start('alice');
    const acknowledged: string[] = [];
    const calls: Array<Promise<void>> = [];
    for (let i = 0; i < 600; i++) {
      calls.push(
        alice
          .call('delegate_task', { assignee_id: 'bob', description: `job ${i}`, payload: { i, pad: 'x'.repeat(200) } })
          .then((r) => {
            if (!r.isError) acknowledged.push((r.structuredContent as { task_id: string }).task_id);
            else throw new Error(textOf(r));
          })
          .catch(() => undefined), // calls in flight die with the process
      );
    }
    // Kill once a good part, but not all, has been acknowledged.
    const deadline = Date.now() + 10_000;
    while (acknowledged.length < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    process.kill(alice.pid, 'SIGKILL');
    await Promise.all(calls);
    const acked = [...acknowledged];
    expect(acked.length).toBeGreaterThanOrEqual(150);
    expect(acked.length).toBeLessThan(600);

    // The files parse, and a restarted server has every acknowledged task.
    JSON.parse(await readFile(path.join(dir, 'store.json'), 'utf8'));
    const restarted = await start('alice');
    const ids = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await restarted.ok<{ tasks: Array<{ id: string }>; next_cursor: string | null }>('list_tasks', {
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      for (const t of page.tasks) ids.add(t.id);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    for (const id of acked) expect(ids.has(id)).toBe(true);
  }, 60_000);

  it('loses no update when two processes hammer one store', async () => {
    const alice = await start('alice');
    const bob = await start('bob');
    const N = 200;
    // alice delegates to bob while bob delegates to alice; then each completes what it was given.
    const [fromAlice, fromBob] = await Promise.all(
      [
        [alice, 'bob'],
        [bob, 'alice'],
      ].map(([client, to]) =>
        Promise.all(
          Array.from({ length: N }, (_, i) =>
            (client as StdioProcess)
              .ok<{ task_id: string }>('delegate_task', { assignee_id: to as string, description: `t${i}` })
              .then((r) => r.task_id),
          ),
        ),
      ),
    );
    await Promise.all([
      ...fromAlice!.map((task_id) => bob.ok('complete_task', { task_id, result: 'done by bob' })),
      ...fromBob!.map((task_id) => alice.ok('complete_task', { task_id, result: 'done by alice' })),
    ]);
    await alice.close();
    await bob.close();
    running.length = 0;

    const store = await LowdbTaskStore.open({ path: path.join(dir, 'store.json'), readOnly: true });
    expect(store.size).toBe(2 * N);
    for (const id of [...fromAlice!, ...fromBob!]) expect(store.getTask(id)?.status).toBe('completed');
    // Every notification made it too: bob got N assignments + N completions of his delegations.
    expect(store.inbox('bob', 0, 10_000).length).toBe(2 * N);
    expect(store.inbox('alice', 0, 10_000).length).toBe(2 * N);
    await store.close();
  }, 60_000);
});
