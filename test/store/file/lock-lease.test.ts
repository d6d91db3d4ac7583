/**
 * The file store's lock under steady load: a lone writer keeps it (it used to let go and take it again every 200 ms,
 * a pause for whichever batch came then), and a writer that another process waits for still lets go in turn.
 * Runs the built code in the other process (test/store/peer.mjs), like the store contract suite.
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync, utimesSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LowdbTaskStore } from '../../../src/store/file/file-task-store.js';
import { eachTempStore } from '../../helpers/core.js';
import { task } from '../../helpers/records.js';

const PEER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../peer.mjs');

/** The lock folder's comings and goings (inotify) while `store` writes without a pause for `ms`. */
async function lockEventsWhileWriting(store: LowdbTaskStore, dir: string, ms: number): Promise<string[]> {
  // The lock is a folder: letting go of it and taking it again removes and makes it (inotify hears both).
  const events: string[] = [];
  const watcher = watch(dir, (event, name) => name === 'store.json.lock' && events.push(event));
  try {
    const until = Date.now() + ms;
    let n = 0;
    while (Date.now() < until) await store.transact((tx) => tx.putTask(task(`t${n++}`)));
    await new Promise((resolve) => setTimeout(resolve, 5)); // any event still on its way
    return events;
  } finally {
    watcher.close();
  }
}

describe('the file store lock under steady load', () => {
  let file: string;
  let dir: string;
  eachTempStore((f, d) => {
    file = f;
    dir = d;
  });

  it('stays with a lone writer: the same lock, never let go while batches keep coming', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    await store.transact((tx) => tx.putTask(task('first')));
    // Well past the 200 ms after which a holder lets go when someone waits.
    expect(await lockEventsWhileWriting(store, dir, 800)).toEqual([]);
    await store.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it("keeps the lock past a dead waiter's wait file, and removes that file", async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    await store.transact((tx) => tx.putTask(task('first')));
    // Left by a process killed while it waited: a minute old, longer than any wait lasts.
    const dead = `${file}.lock-wait.999999-dead00`;
    writeFileSync(dead, '');
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(dead, aMinuteAgo, aMinuteAgo);
    try {
      expect(await lockEventsWhileWriting(store, dir, 500)).toEqual([]);
      expect(existsSync(dead)).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('lets another process that waits have its turn, while its own batches keep coming', async () => {
    const store = await LowdbTaskStore.open({ path: file, pollMs: 0, watch: false });
    await store.transact((tx) => tx.putTask(task('first'))); // the lock is this process's now
    const peer = fork(PEER, [file], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let watcher: FSWatcher | undefined;
    try {
      await new Promise<void>((resolve) => peer.once('message', () => resolve())); // {ready}
      // The peer's wait file may last only a few ms (when this process was about to let go anyway): inotify sees it.
      let sawWaiting = false;
      const peerWaits = `store.json.lock-wait.${peer.pid}-`;
      watcher = watch(dir, (_event, name) => (sawWaiting ||= name?.startsWith(peerWaits) ?? false));
      const peerWrote = new Promise<unknown>((resolve) => peer.on('message', resolve));
      let done = false;
      void peerWrote.then(() => (done = true));
      // Two writers, so that one's transaction is always queued when a batch ends: the lock is never idle (25 ms)
      // and let go that way, however loaded the machine. For up to 10 s.
      const until = Date.now() + 10_000;
      let n = 0;
      const writer = async () => {
        while (!done && Date.now() < until) await store.transact((tx) => tx.putTask(task(`t${n++}`)));
      };
      // The lock went idle while the peer started: take it again, and keep it, before the peer asks for it.
      await store.transact((tx) => tx.putTask(task('again')));
      const writing = Promise.all([writer(), writer()]);
      peer.send({ id: 1, op: 'put', tasks: [task('from-peer')] });
      await writing;
      await new Promise((resolve) => setTimeout(resolve, 5)); // any event still on its way
      expect(done).toBe(true); // the peer wrote while this process kept writing, not once it went idle
      expect(await peerWrote).toMatchObject({ id: 1, ok: true, value: 1 });
      expect(sawWaiting).toBe(true); // the peer waited, and said so
      expect(await store.getTask('from-peer')).toBeDefined();
      await new Promise((resolve) => setImmediate(resolve));
      expect(readdirSync(dir).filter((name) => name.includes('.lock-wait.'))).toEqual([]);
    } finally {
      watcher?.close();
      peer.kill();
      await store.close();
    }
  }, 30_000);
});
