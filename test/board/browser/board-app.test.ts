/**
 * The board as an MCP App (dist/board/app.html) in a real Chromium, framed by a host that speaks the host side of
 * the bridge with ext-apps' AppBridge (test/board/host): the handshake under a hash-only CSP with no network,
 * `board_snapshot` polling, pinning to the tool call, cancel and messages through the host's tool calls, and
 * the host's theme.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BoardPage } from '../../helpers/board-page.js';
import { launchChromium, openWatchedPage } from '../../helpers/browser.js';
import type { WatchedPage } from '../../helpers/browser.js';
import { boardTasks, IDS } from '../fixtures.js';
import { startScriptedBoard } from '../scripted-board-server.js';
import type { ScriptedBoardServer } from '../scripted-board-server.js';

type HostCall = { name: string; arguments: Record<string, unknown> };

describe('task board as an MCP App', () => {
  let browser: Browser;
  let server: ScriptedBoardServer;
  let watched: WatchedPage;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
  });
  afterEach(async () => {
    await watched.close();
    await server.close();
  });

  /** The host page with the app framed in it, after the bridge's handshake. */
  const openHost = async (): Promise<{ page: Page; board: BoardPage }> => {
    server = await startScriptedBoard({ tasks: boardTasks(), viewer: 'host', admin: true });
    watched = await openWatchedPage(browser);
    const page = watched.page;
    await page.goto(`${server.url}/host`);
    await page.waitForFunction(() => window.testHost?.initialized === true, undefined, { timeout: 15_000 });
    const board = BoardPage.inFrame(page, 'iframe#app');
    await board.waitForLoaded();
    return { page, board };
  };
  const calls = (page: Page) => page.evaluate(() => window.testHost.calls) as Promise<HostCall[]>;

  it('connects through the host under a strict CSP, shows every tree, and polls board_snapshot for changes', async () => {
    const { page, board } = await openHost();
    await board.waitForTask(IDS.survey);
    await expect(board.connection().innerText()).resolves.toBe('Live');
    await expect(board.root.getByText('viewing as').locator('..').innerText()).resolves.toMatch(/host/);
    // No token prompt and no sign-out inside a host: the connection is the identity.
    await expect(board.root.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);
    const first = (await calls(page))[0]!;
    expect(first).toEqual({ name: 'board_snapshot', arguments: {} });
    server.change({
      ...server.tasks.get(IDS.translate)!,
      status: 'completed',
      result: 'fait',
      finished_at: new Date().toISOString(),
    });
    await board.waitForTask(IDS.translate, { status: 'completed' });
    const polls = (await calls(page)).filter((call) => call.name === 'board_snapshot');
    expect(polls.slice(1).every((call) => typeof call.arguments.after_seq === 'number')).toBe(true);
    expect(watched.problems.all()).toEqual([]);
  });

  it('pins the tree of the tool call it was opened for, and can show every task again', async () => {
    const { page, board } = await openHost();
    await page.evaluate((id) => window.testHost.toolInput({ task_id: id }), IDS.vscode);
    await board.root.getByRole('button', { name: 'This call’s work' }).waitFor();
    await expect
      .poll(async () =>
        board.root
          .locator('ul.forest > li')
          .evaluateAll((items) => items.map((item) => item.getAttribute('data-task-id'))),
      )
      .toEqual([IDS.survey]);
    // The filters count what is shown: the pinned tree's two pending tasks, no failed one.
    await expect(board.statusFilter('Pending').innerText()).resolves.toMatch(/2$/);
    await expect(board.statusFilter('Failed').innerText()).resolves.toMatch(/0$/);
    // The pinned ids go to the server, so an older tree than the newest roots still comes.
    await expect
      .poll(async () =>
        (await calls(page)).some((call) => JSON.stringify(call.arguments.task_ids) === JSON.stringify([IDS.vscode])),
      )
      .toBe(true);
    await board.root.getByRole('button', { name: 'All my tasks' }).click();
    await board.waitForTask(IDS.jsonFlag);
    // A result naming more tasks (wait_for_tasks) adds their trees.
    await board.root.getByRole('button', { name: 'This call’s work' }).click();
    await page.evaluate(
      (ids) => window.testHost.toolResult({ done: true, tasks: ids.map((id) => ({ id })) }),
      [IDS.review],
    );
    await expect
      .poll(async () =>
        board.root
          .locator('ul.forest > li')
          .evaluateAll((items) => items.map((item) => item.getAttribute('data-task-id'))),
      )
      .toEqual([IDS.survey, IDS.review]);
    expect(watched.problems.all()).toEqual([]);
  });

  it('cancels and sends messages through the host’s tool calls, under the connection’s own rules', async () => {
    const { page, board } = await openHost();
    await board.sendMessage(IDS.survey, 'Add Zed too.');
    await board.cancel(IDS.survey, 'done by hand');
    const actions = (await calls(page)).filter((call) => call.name !== 'board_snapshot');
    expect(actions).toEqual([
      { name: 'send_message', arguments: { to_agent_id: 'researcher', content: 'Add Zed too.', task_id: IDS.survey } },
      { name: 'cancel_task', arguments: { task_id: IDS.survey, reason: 'done by hand' } },
    ]);
    await board.waitForTask(IDS.survey, { status: 'cancelled' });
    await board.waitForTask(IDS.vscode, { status: 'cancelled' });
    expect(watched.problems.all()).toEqual([]);
  });

  it('follows the host’s theme', async () => {
    const { page, board } = await openHost();
    const theme = () => board.root.locator('html').getAttribute('data-theme');
    await expect.poll(theme).toBe('light');
    await page.evaluate(() => window.testHost.theme('dark'));
    await expect.poll(theme).toBe('dark');
    const background = await board.root
      .locator('body')
      .evaluate((body) => getComputedStyle(document.documentElement).backgroundColor + getComputedStyle(body).color);
    expect(background).toBe('rgb(15, 18, 22)rgb(230, 233, 238)');
    expect(watched.problems.all()).toEqual([]);
  });
});
