/**
 * The board page in a real headless Chromium against real Baton (not the scripted server): `baton serve --http`'s
 * routes over a temp store, MCP clients over Streamable HTTP, and a second Baton process (the built CLI over
 * stdio) on the same store. Live updates, a restart resumed from the last seq, token isolation, and the actions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttp } from '../../../src/transports/http.js';
import type { RunningHttp } from '../../../src/transports/http.js';
import { BoardPage } from '../../helpers/board-page.js';
import { launchChromium, openWatchedPage } from '../../helpers/browser.js';
import type { WatchedPage } from '../../helpers/browser.js';
import { startCore, wrapClient } from '../../helpers/core.js';
import type { Core, TestClient } from '../../helpers/core.js';
import { startStdio } from '../../helpers/stdio.js';
import type { StdioProcess } from '../../helpers/stdio.js';

const ADMIN = 'admin-token-0123456789abcdef';

interface Running {
  core: Core;
  http: RunningHttp;
}

describe('the task board on real Baton, in Chromium', () => {
  let browser: Browser;
  let dir: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Baton with its HTTP server on `port` (0: a free one) over the store in `dir`. */
  const serve = async (tokens: Record<string, string> | null = null, port = 0): Promise<Running> => {
    dir ??= await mkdtemp(path.join(tmpdir(), 'baton-board-'));
    const core = await startCore({ storePath: path.join(dir, 'store.json') });
    const http = await startHttp(core.baton, {
      host: '127.0.0.1',
      port,
      agentId: 'host',
      tokens: tokens ? new Map(Object.entries(tokens)) : null,
      adminToken: ADMIN,
    });
    return { core, http };
  };
  const stop = async ({ core, http }: Running) => {
    await http.close();
    await core.close();
  };

  /** A real MCP client over Streamable HTTP, as a host connects. */
  const mcp = async (http: RunningHttp, token?: string): Promise<TestClient> => {
    const client = new Client({ name: 'board-test', version: '1.0.0' });
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), { requestInit: { headers } }));
    cleanups.push(() => client.close());
    return wrapClient(client);
  };

  /** A second Baton process on the same store: the built CLI over stdio, acting as `as`. */
  const secondProcess = async (as: string): Promise<StdioProcess> => {
    const other = await startStdio([
      '--store',
      path.join(dir, 'store.json'),
      '--as',
      as,
      '--agents',
      path.join(dir, 'no-agents'),
      '--no-bundled-agents',
    ]);
    cleanups.push(() => other.close());
    return other;
  };

  const openBoard = async (url: string, token?: string): Promise<{ board: BoardPage; watched: WatchedPage }> => {
    const watched = await openWatchedPage(browser);
    cleanups.push(() => watched.close());
    const board = await BoardPage.open(watched.page, `${url}/`, token === undefined ? {} : { token });
    return { board, watched };
  };

  /** Problems besides the 401 the page gets before its token is entered (it then shows the prompt). */
  const beyondSignIn = (watched: WatchedPage) =>
    watched.problems.all().filter((p) => !/status of 401|\/board\/api\/session: net::ERR_ABORTED/.test(p));

  const delegate = (client: TestClient, assignee: string, description: string) =>
    client.ok<{ task_id: string }>('delegate_task', { assignee_id: assignee, description }).then((t) => t.task_id);

  it('shows a delegation made through MCP at once, and progress and completion from a second Baton process', async () => {
    const running = await serve();
    cleanups.push(() => stop(running));
    const { board, watched } = await openBoard(running.http.url);
    const host = await mcp(running.http);
    const bob = await secondProcess('bob');

    const started = Date.now();
    const task = await delegate(host, 'bob', 'Summarise the board contract');
    await board.waitForTask(task, { status: 'in_progress' });
    const shownAfterMs = Date.now() - started;

    const reported = Date.now();
    await bob.ok('report_task_progress', { task_id: task, message: 'read the SSE section' });
    await board.waitForText(task, 'read the SSE section');
    const crossProcessMs = Date.now() - reported;
    await bob.ok('complete_task', { task_id: task, result: 'the page and the server agree' });
    await board.waitForTask(task, { status: 'completed' });
    const details = await board.expand(task);
    await expect(details.innerText()).resolves.toMatch(/the page and the server agree/);
    await expect(board.connection().innerText()).resolves.toBe('Live');
    expect(watched.problems.all()).toEqual([]);
    // SPEC §12: within a second. Asserted loosely (a loaded 2-core machine); the figure is in the test log.
    process.stderr.write(
      `board: a delegation shown ${shownAfterMs} ms after delegate_task returned; ` +
        `another process's progress ${crossProcessMs} ms after its call began\n`,
    );
    expect(shownAfterMs).toBeLessThan(5000);
    expect(crossProcessMs).toBeLessThan(5000);
  });

  it('resumes after the server restarts: the changes made meanwhile arrive once, from the last seq it applied', async () => {
    let running = await serve();
    const { board, watched } = await openBoard(running.http.url);
    const streamIds: string[] = [];
    let snapshots = 0;
    watched.page.on('request', (request: Request) => {
      if (request.url().endsWith('/board/api/events')) streamIds.push(request.headers()['last-event-id'] ?? '');
      if (request.url().includes('/board/api/tasks?')) snapshots += 1;
    });
    const host = await mcp(running.http);
    const bob = await secondProcess('bob');
    const task = await delegate(host, 'bob', 'Survive a restart');
    await bob.ok('report_task_progress', { task_id: task, message: 'before the restart' });
    await board.waitForText(task, 'before the restart');
    const appliedSeq = (await running.core.tasks.peek(task))!.seq;
    const port = running.http.port;

    await stop(running);
    await board.connection().filter({ hasNotText: 'Live' }).waitFor();
    // While the server is down, the other process keeps working on the same store.
    await bob.ok('report_task_progress', { task_id: task, message: 'while the board was away' });
    await bob.ok('complete_task', { task_id: task, result: 'done while away' });
    running = await serve(null, port);
    cleanups.push(() => stop(running));

    await board.waitForTask(task, { status: 'completed', timeout: 20_000 });
    await board.connection().filter({ hasText: 'Live' }).waitFor();
    // Resumed, not reloaded: the stream asked from the seq it had applied, and no second snapshot was taken.
    expect(streamIds.at(-1)).toBe(String(appliedSeq));
    expect(snapshots).toBe(0);
    const details = await board.expand(task);
    const history = await details.locator('.progress li, ol li').allInnerTexts();
    const progress = history.filter((line) => /before the restart|while the board was away/.test(line));
    expect(progress.map((line) => line.match(/before the restart|while the board was away/)![0])).toEqual([
      'before the restart',
      'while the board was away',
    ]);
    // The only problems are the stream the restart broke and the reconnects refused while the server was down.
    const unexpected = watched.problems
      .all()
      .filter((p) => !/board\/api\/events|ERR_CONNECTION_REFUSED|net::ERR_/.test(p));
    expect(unexpected).toEqual([]);
  });

  it("never shows another token's tasks: not in the snapshot, not live; the admin token sees them all", async () => {
    const running = await serve({ 'token-alice': 'alice', 'token-bob': 'bob' });
    cleanups.push(() => stop(running));
    const alice = await mcp(running.http, 'token-alice');
    const bob = await mcp(running.http, 'token-bob');
    const before = await delegate(bob, 'dave', 'Bob private before');
    const { board, watched } = await openBoard(running.http.url, 'token-alice');
    const mine = await delegate(alice, 'carol', 'Alice work');
    const during = await delegate(bob, 'dave', 'Bob private during');
    await bob.ok('cancel_task', { task_id: before });
    const last = await delegate(alice, 'carol', 'Alice later work');
    await board.waitForTask(last);
    await board.waitForTask(mine);
    expect((await board.visibleTaskIds()).sort()).toEqual([mine, last].sort());
    await expect(board.root.locator('body').innerText()).resolves.not.toMatch(/Bob private/);
    expect(await board.row(before).count()).toBe(0);
    expect(await board.row(during).count()).toBe(0);
    expect(beyondSignIn(watched)).toEqual([]);

    const admin = await openBoard(running.http.url, ADMIN);
    await admin.board.waitForTask(during);
    expect((await admin.board.visibleTaskIds()).sort()).toEqual([before, mine, during, last].sort());
  });

  it('cancels through the page for the delegator, offers no cancel to the assignee, and sends a message', async () => {
    const running = await serve({ 'token-host': 'host', 'token-bob': 'bob' });
    cleanups.push(() => stop(running));
    const host = await mcp(running.http, 'token-host');
    const bob = await mcp(running.http, 'token-bob');
    const task = await delegate(host, 'bob', 'Cancel me from the board');

    const asBob = await openBoard(running.http.url, 'token-bob');
    await asBob.board.expand(task);
    await expect(asBob.board.cancelButton(task).count()).resolves.toBe(0);
    await asBob.board.sendMessage(task, 'I am on it');
    const hostInbox = await host.ok<{ items: { from: string; content: string }[] }>('read_inbox', {});
    expect(hostInbox.items.filter((i) => i.content === 'I am on it')).toEqual([
      expect.objectContaining({ from: 'bob', content: 'I am on it' }),
    ]);

    const asHost = await openBoard(running.http.url, 'token-host');
    await asHost.board.cancel(task, 'not needed any more');
    await asHost.board.waitForTask(task, { status: 'cancelled' });
    // The assignee's board hears it live, and the tools agree.
    await asBob.board.waitForTask(task, { status: 'cancelled' });
    const view = await bob.ok<{ task: { status: string; error: string } }>('get_task', { task_id: task });
    expect(view.task).toMatchObject({ status: 'cancelled', error: 'not needed any more' });
    expect([...beyondSignIn(asBob.watched), ...beyondSignIn(asHost.watched)]).toEqual([]);
  });
});
