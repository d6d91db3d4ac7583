/**
 * Serving while the store loads (issue 15, item 3): `initialize`, `ping` and `tools/list` are answered while the
 * store is held "loading" (the `beforeStoreOpen` hook of startBaton), a tool call or resource read waits for it
 * and is answered once it is open; an unreadable store answers what waited with its one line, and is not changed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBaton } from '../../src/baton.js';
import type { Baton } from '../../src/baton.js';
import { StoreError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { createServer } from '../../src/mcp/server.js';
import { tempDir } from '../helpers/core.js';

/** A gate the store waits at before opening. */
function gate(): { wait: () => Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open };
}

/** Lets pending I/O and timers of a few ms run, so that a call that could be answered would be. */
async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Tracks whether a promise has settled, and how. */
function watch<T>(promise: Promise<T>): { state: () => 'pending' | 'resolved' | 'rejected'; promise: Promise<T> } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  return { state: () => state, promise };
}

describe('serving while the store loads', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let baton: Baton | null;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    baton = null;
  });
  afterEach(async () => {
    await baton?.close().catch(() => undefined);
    await cleanup();
  });

  async function start(store: string, hold: { wait: () => Promise<void> }) {
    baton = await startBaton(
      {
        store,
        defaultTimeout: 600,
        agents: [path.join(dir, 'no-agents')],
        model: null,
        maxConcurrency: 2,
        maxDepth: 3,
        maxPerSession: 10,
        tools: null,
        bundledAgents: false,
      },
      silentLogger,
      { env: {}, beforeStoreOpen: hold.wait },
    );
    const server = createServer(baton, 'host');
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'test', version: '1.0.0' });
    await server.connect(serverSide);
    await client.connect(clientSide); // initialize, answered with the store still held
    return { client, ready: watch(baton.ready) };
  }

  it('answers initialize, ping and tools/list while the store is held, and tool calls once it is open', async () => {
    const hold = gate();
    const { client, ready } = await start(path.join(dir, 'store.json'), hold);
    expect(client.getServerVersion()?.name).toBe('baton');
    await client.ping();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_tasks');

    const delegated = watch(
      client.callTool({ name: 'delegate_task', arguments: { assignee_id: 'bob', description: 'while loading' } }),
    );
    const read = watch(client.readResource({ uri: 'baton://agents' }).catch(() => null));
    await turns();
    expect(ready.state()).toBe('pending');
    expect(delegated.state()).toBe('pending');
    expect(read.state()).toBe('pending');
    // What needs no store is still answered meanwhile.
    expect((await client.listTools()).tools.length).toBe(tools.length);
    await client.ping();
    expect(delegated.state()).toBe('pending');

    hold.open();
    const result = (await delegated.promise) as { isError?: boolean; structuredContent?: { task_id?: string } };
    expect(result.isError).toBeFalsy();
    await ready.promise;
    const listing = await client.callTool({ name: 'list_tasks', arguments: {} });
    expect(JSON.stringify(listing.structuredContent)).toContain('while loading');
  });

  it('answers what waited with the store error when the store is unreadable, and changes nothing', async () => {
    const store = path.join(dir, 'store.json');
    await writeFile(store, '{"schema_version":3,"generation":1,"seq":0,"tasks":[\n{"id":1}\n],"inbox":[\n]}\n');
    const before = await readFile(store);
    const hold = gate();
    const { client, ready } = await start(store, hold);
    const call = watch(client.callTool({ name: 'list_tasks', arguments: {} }));
    await turns();
    expect(call.state()).toBe('pending');

    hold.open();
    const error = (await ready.promise.catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/^cannot read store .*store\.json: line 2 \(tasks\): id: .*left untouched$/);
    await expect(call.promise).rejects.toThrow(error.message);
    // Later calls get it too; what needs no store is still answered.
    await expect(client.callTool({ name: 'get_task', arguments: { task_id: 'x' } })).rejects.toThrow(error.message);
    await client.ping();
    expect(await readFile(store)).toEqual(before);
  });
});
