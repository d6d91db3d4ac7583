/**
 * The board MCP App against real Baton, in Chromium: a test host page frames the app.html that Baton serves as
 * `ui://baton/board.html` (read with resources/read through a real SDK client), and its bridge forwards the app's
 * tool calls (board_snapshot, cancel_task) to Baton through that same client. Live changes from another agent's
 * session show up, the call's tree is pinned, and cancel goes through the connection's own rules.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BoardPage } from '../../helpers/board-page.js';
import { launchChromium, openWatchedPage } from '../../helpers/browser.js';
import type { WatchedPage } from '../../helpers/browser.js';
import { startCore } from '../../helpers/core.js';
import type { Core, TestClient } from '../../helpers/core.js';
import { appCsp, hostPage, hostScript } from '../scripted-board-server.js';

describe('the board MCP App on real Baton, in Chromium', () => {
  let browser: Browser;
  let core: Core;
  let http: Server;
  let url = '';
  let watched: WatchedPage;
  let host: TestClient;
  const calls: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
  });
  afterEach(async () => {
    await watched.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await core.close();
  });

  /** Baton, a host connection to it, and the host page that frames the app Baton serves. */
  const openHost = async () => {
    core = await startCore();
    host = await core.connect('host');
    const read = await host.client.readResource({ uri: 'ui://baton/board.html' });
    const app = (read.contents[0] as { text: string; mimeType: string }).text;
    const script = await hostScript();
    http = createServer((req, res) => {
      void (async () => {
        if (req.url === '/host') {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
          return res.end(hostPage(script));
        }
        if (req.url === '/app.html') {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': appCsp() });
          return res.end(app);
        }
        if (req.url === '/host/call' && req.method === 'POST') {
          let body = '';
          for await (const chunk of req) body += String(chunk);
          const params = JSON.parse(body) as { name: string; arguments?: Record<string, unknown> };
          calls.push(params.name);
          const result = await host.client.callTool({ name: params.name, arguments: params.arguments ?? {} });
          res.writeHead(200, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify(result));
        }
        return res.writeHead(404).end();
      })();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    watched = await openWatchedPage(browser);
    await watched.page.goto(`${url}/host`);
    await watched.page.waitForFunction(() => window.testHost?.initialized === true, undefined, { timeout: 15_000 });
    const board = BoardPage.inFrame(watched.page, 'iframe#app');
    await board.waitForLoaded();
    return board;
  };

  it("shows the connection's tasks live, pins the call's tree, and cancels through the host", async () => {
    const board = await openHost();
    const bob = await core.connect('bob');
    const first = await host.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'Older work',
    });
    const second = await host.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'The call' });
    const hidden = await bob.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'carol',
      description: 'Not host',
    });
    await board.waitForTask(second.task_id);
    await bob.ok('report_task_progress', { task_id: second.task_id, message: 'bob is on it' });
    await board.waitForText(second.task_id, 'bob is on it');
    await expect(board.row(hidden.task_id).count()).resolves.toBe(0);

    await watched.page.evaluate((id) => window.testHost.toolInput({ task_id: id }), second.task_id);
    await board.root.getByRole('button', { name: 'This call’s work' }).waitFor();
    await expect.poll(() => board.visibleTaskIds()).toEqual([second.task_id]);

    await board.cancel(second.task_id, 'seen enough');
    await board.waitForTask(second.task_id, { status: 'cancelled' });
    const view = await bob.ok<{ task: { status: string } }>('get_task', { task_id: second.task_id });
    expect(view.task.status).toBe('cancelled');
    expect(calls).toContain('cancel_task');
    expect(calls.filter((name) => name === 'board_snapshot').length).toBeGreaterThan(1);
    await board.root.getByRole('button', { name: 'All my tasks' }).click();
    await board.waitForTask(first.task_id, { status: 'in_progress' });
    expect(watched.problems.all()).toEqual([]);
  });
});
