import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { BatonMcpTaskStore } from '../../src/mcp/mcp-task-store.js';
import type { LowdbTaskStore } from '../../src/store/file/file-task-store.js';
import { openStore } from '../../src/store/open-store.js';
import { writeAgent } from '../helpers/agents.js';
import { useSandbox } from '../helpers/sandbox.js';

type Dispatched = { result: string; task_id: string; status: string };
type Appender = {
  sync(ino: number): Promise<void>;
  append(
    ino: number,
    offset: number,
    records: ReadonlyArray<{ task?: { status: string } }>,
    ...rest: unknown[]
  ): Promise<number>;
};

/** The fsync after the append that completes a task fails, once (and only that one: not a creation's flush). */
function failTheFsyncOfAnEnd(store: LowdbTaskStore): void {
  const appender = appenderOf(store);
  const append = appender.append.bind(appender);
  const sync = appender.sync.bind(appender);
  let ending = false;
  vi.spyOn(appender, 'append').mockImplementation((ino, offset, records, ...rest) => {
    ending = records.some((r) => r.task?.status === 'completed');
    return append(ino, offset, records, ...rest);
  });
  vi.spyOn(appender, 'sync').mockImplementation(async (ino) => {
    if (ending) {
      ending = false;
      throw new Error('EIO: i/o error, fdatasync');
    }
    await sync(ino);
  });
}

/** The file store's journal appender (a private part): its fsyncs are what these tests watch and delay. */
const appenderOf = (store: LowdbTaskStore) => (store as unknown as { files: { appender: Appender } }).files.appender;
type InboxItem = { event: string; task_id: string | null };

/** What a dispatch costs the store and tells the caller (issue 15: one fsync, no message the response repeats). */
describe('a plain subagent_dispatch', () => {
  const sandbox = useSandbox();

  /** Baton with a `helper` agent on a fake model, one dispatch made (the SDK loaded, a connection open). */
  async function warmedUp() {
    await sandbox.fakeOpenAi({ defaultReply: { text: 'Done.' } });
    await writeAgent(sandbox.agentsDir, 'helper', { model: 'openai:gpt-test' });
    const core = await sandbox.start({ leaseSeconds: 3600 }); // no lease renewal meanwhile
    const host = await core.connect('host');
    await host.ok('subagent_dispatch', { agent_id: 'helper', task: 'warm up' });
    return { core, host, store: core.store as LowdbTaskStore };
  }

  it('makes one fsynced journal append: its creation rides on the answer, and both are on disk', async () => {
    const { core, host, store } = await warmedUp();

    const before = { ...store.writes };
    const out = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'helper', task: 'Say done.' });
    expect(out).toMatchObject({ result: 'Done.', status: 'completed' });
    // The creation, then the answer; only the answer's append is fsynced. (If the model took longer than the
    // store's idle time, the lock's release would flush the creation meanwhile: `flushes`, not counted here.)
    expect(store.writes.batches - before.batches).toBe(2);
    expect(store.writes.synced - before.synced).toBe(1);

    // Both records are in the journal on disk: a fresh reader sees the task as it ended.
    const reader = await openStore(core.storePath, { readOnly: true });
    try {
      expect(await reader.getTask(out.task_id)).toMatchObject({ status: 'completed', result: 'Done.' });
    } finally {
      await reader.close();
    }
  });

  it('sends its first model request before it writes the creation, so the write overlaps the model', async () => {
    const { host, store } = await warmedUp();

    // node:http tells this channel, in this process, of each request it starts; its 'finish' is when the whole
    // request has been handed to the socket.
    const before = store.writes.batches;
    const atRequest: number[] = [];
    const onStart = (message: unknown) =>
      (message as { request: ClientRequest }).request.once('finish', () =>
        atRequest.push(store.writes.batches - before),
      );
    diagnostics.subscribe('http.client.request.start', onStart);
    try {
      const out = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'helper', task: 'Say done.' });
      expect(out).toMatchObject({ result: 'Done.', status: 'completed' });
    } finally {
      diagnostics.unsubscribe('http.client.request.start', onStart);
    }
    // One request, sent while nothing of this dispatch was written yet; then the creation and the answer.
    expect(atRequest).toEqual([0]);
    expect(store.writes.batches - before).toBe(2);
  });

  it('builds its answer while its last fsync runs, and the client has it only once that fsync is done', async () => {
    const { host, store } = await warmedUp();

    const events: string[] = [];
    const appender = appenderOf(store);
    const sync = appender.sync.bind(appender);
    vi.spyOn(appender, 'sync').mockImplementation(async (ino) => {
      events.push('fsync');
      await new Promise((resolve) => setTimeout(resolve, 100)); // a slow disk: the window is wide
      await sync(ino);
      events.push('fsynced');
    });
    const keep = BatonMcpTaskStore.prototype.keepResult;
    vi.spyOn(BatonMcpTaskStore.prototype, 'keepResult').mockImplementation(function (this: BatonMcpTaskStore, ...a) {
      events.push('answer built');
      return keep.apply(this, a);
    });
    const out = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'helper', task: 'Say done.' });
    events.push('answered');
    expect(out).toMatchObject({ result: 'Done.', status: 'completed' });
    expect(events).toEqual(['fsync', 'answer built', 'fsynced', 'answered']);
  });

  it('answers an error, never the result, when the fsync of its end fails', async () => {
    const { host, store } = await warmedUp();

    failTheFsyncOfAnEnd(store);
    await expect(
      host.client.callTool({ name: 'subagent_dispatch', arguments: { agent_id: 'helper', task: 'Say done.' } }),
    ).rejects.toThrow(/not answered: could not write the store: EIO/);
  });

  it('fails with that error, not at its deadline, when not answered early and the fsync of its end fails', async () => {
    const { core, store } = await warmedUp();

    // As `baton dispatch` and a run's own dispatches call it: no early answer, the wait is the feed's.
    failTheFsyncOfAnEnd(store);
    await expect(core.baton.runtime.dispatch('host', { agent_id: 'helper', task: 'Say done.' })).rejects.toThrow(
      /could not write the store: EIO/,
    );
  });

  it('sends no notifications/message for the end its caller receives in the response; other sessions and the inbox still get it', async () => {
    await sandbox.fakeOpenAi({ defaultReply: { text: 'Done.' } });
    await writeAgent(sandbox.agentsDir, 'helper', { model: 'openai:gpt-test' });
    const core = await sandbox.start();
    const host = await core.connect('host');
    const otherWindow = await core.connect('host');

    const out = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'helper', task: 'Say done.' });
    const completed = (m: unknown) =>
      (m as InboxItem).event === 'task.notification.completed' && (m as InboxItem).task_id === out.task_id;
    await expect.poll(() => otherWindow.messages.some(completed)).toBe(true);
    expect(host.messages.filter(completed)).toEqual([]);
    const inbox = await host.ok<{ items: InboxItem[] }>('read_inbox', {});
    expect(inbox.items.filter((i) => i.task_id === out.task_id).map((i) => i.event)).toEqual([
      'task.notification.completed',
    ]);

    // Told of nothing else: a later delegation's end is pushed to this session as before.
    const { task_id } = await host.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'later',
    });
    const bob = await core.connect('bob');
    await bob.ok('complete_task', { task_id, result: 'ok' });
    await expect
      .poll(() =>
        host.messages.some(
          (m) => (m as InboxItem).task_id === task_id && (m as InboxItem).event === 'task.notification.completed',
        ),
      )
      .toBe(true);
  });
});
