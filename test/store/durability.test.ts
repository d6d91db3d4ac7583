import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LowdbTaskStore } from '../../src/store/file/file-task-store.js';
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
    let inFlight = 0;
    let killed = false;
    let inFlightAtKill = 0;
    const send = (i: number) => {
      inFlight++;
      calls.push(
        alice
          .call('delegate_task', { assignee_id: 'bob', description: `job ${i}`, payload: { i, pad: 'x'.repeat(200) } })
          .then((r) => {
            if (r.isError) throw new Error(textOf(r));
            if (!killed) acknowledged.push((r.structuredContent as { task_id: string }).task_id);
          })
          .catch(() => undefined) // calls in flight die with the process
          .finally(() => inFlight--),
      );
    };
    // Keep several hundred delegations in flight; kill the server once enough have been acknowledged.
    let sent = 0;
    const deadline = Date.now() + 20_000;
    while (acknowledged.length < 300 && Date.now() < deadline) {
      while (inFlight < 300) send(sent++);
      await new Promise((r) => setImmediate(r));
    }
    while (inFlight < 300) send(sent++); // so that calls are surely outstanding at the kill
    inFlightAtKill = inFlight;
    killed = true;
    process.kill(alice.pid, 'SIGKILL');
    await Promise.all(calls);
    const acked = [...acknowledged];
    expect(acked.length).toBeGreaterThanOrEqual(300);
    expect(inFlightAtKill).toBeGreaterThan(0);

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
    for (const id of [...fromAlice!, ...fromBob!]) expect((await store.getTask(id))?.status).toBe('completed');
    // Every notification made it too: bob got N assignments + N completions of his delegations.
    expect((await store.inbox('bob', 0, 10_000)).length).toBe(2 * N);
    expect((await store.inbox('alice', 0, 10_000)).length).toBe(2 * N);
    await store.close();
  }, 60_000);
});
