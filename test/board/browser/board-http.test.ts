/**
 * The board page over HTTP (dist/board/board.html) in a real headless Chromium, against the scripted server that
 * speaks the board contract: what it shows, live updates, resuming a dropped stream, tokens, actions with the CSRF
 * header, filters, the keyboard and a phone.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BoardPage } from '../../helpers/board-page.js';
import { launchChromium, openWatchedPage, PHONE } from '../../helpers/browser.js';
import type { WatchedPage } from '../../helpers/browser.js';
import { boardTasks, IDS, wireTask } from '../fixtures.js';
import type { WireTask } from '../fixtures.js';
import { startScriptedBoard } from '../scripted-board-server.js';
import type { ScriptedBoardOptions, ScriptedBoardServer } from '../scripted-board-server.js';

describe('task board over HTTP', () => {
  let browser: Browser;
  const opened: { server: ScriptedBoardServer; watched: WatchedPage }[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
  });
  afterEach(async () => {
    for (const { server, watched } of opened.splice(0)) {
      await watched.close();
      await server.close();
    }
  });

  /** A scripted server (admin viewer `host` by default: it sees the subagents' tasks too) and the board open on it. */
  const open = async (options: ScriptedBoardOptions = {}, context: Parameters<typeof openWatchedPage>[1] = {}) => {
    const server = await startScriptedBoard({ tasks: boardTasks(), admin: true, ...options });
    const watched = await openWatchedPage(browser, context);
    opened.push({ server, watched });
    const board = options.tokens ? new BoardPage(watched.page) : await BoardPage.open(watched.page, server.url);
    if (options.tokens) await watched.page.goto(server.url);
    return { server, watched, board, page: watched.page };
  };

  const latest = (server: ScriptedBoardServer, id: string): WireTask => ({ ...server.tasks.get(id)! });
  const roots = (board: BoardPage) => board.root.locator('ul.forest > li > button[data-row]');

  it('loads with no console error and shows the trees newest root first, each with its status, agent, time and usage', async () => {
    const { board, watched } = await open();
    const rootIds = await roots(board).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-row')));
    expect(rootIds).toEqual([IDS.survey, IDS.translate, IDS.jsonFlag, IDS.review, IDS.e2e, IDS.refactor]);
    const survey = board.row(IDS.survey);
    await expect(survey.getAttribute('data-status')).resolves.toBe('in_progress');
    const text = (await survey.innerText()).replace(/\s+/g, ' ');
    expect(text).toMatch(/Running/);
    expect(text).toMatch(/researcher/);
    expect(text).toMatch(/Claude Desktop notes in; waiting for VS Code and Cursor/);
    expect(text).toMatch(/1 of 4 subtasks ended/);
    expect(text).toMatch(/\dm \d\ds of 10m 00s/);
    expect(text).toMatch(/71\.3k tokens · \$0\.26/);
    await expect(board.row(IDS.jsonFlag).innerText()).resolves.toMatch(/54\.5k tokens(?! ·)/);
    await expect(board.row(IDS.review).innerText()).resolves.toMatch(/Failed[\s\S]*took 1m 50s/);
    await expect(board.connection().innerText()).resolves.toBe('Live');
    await expect(board.root.getByText('viewing as').locator('..').innerText()).resolves.toMatch(/host\s*admin/);
    expect(watched.problems.all()).toEqual([]);
  });

  it('renders a server without usage fields (before issue 11): no usage column, a dash in the details', async () => {
    const { board, watched } = await open({ tasks: boardTasks(Date.now(), false) });
    await expect(board.root.locator('.usage').count()).resolves.toBe(0);
    const details = await board.expand(IDS.survey);
    await expect(details.locator('.fact', { hasText: 'Tokens' }).locator('dd').innerText()).resolves.toBe('—');
    await expect(board.root.locator('.tally').innerText()).resolves.toBe('6 trees');
    expect(watched.problems.all()).toEqual([]);
  });

  it('opens a task for its description, payload, progress history, result or error, and children', async () => {
    const { board, watched } = await open();
    await expect(board.row(IDS.claude).count()).resolves.toBe(0);
    const survey = await board.expand(IDS.survey);
    await expect(board.row(IDS.survey).getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(survey.locator('.full-description').innerText()).resolves.toMatch(/^Compare how MCP hosts render/);
    await expect(survey.getByRole('heading', { name: 'Payload' })).toBeDefined();
    await expect(survey.locator('pre').first().innerText()).resolves.toBe(
      '{"hosts":["Claude Desktop","VS Code","Cursor"],"format":"markdown table"}',
    );
    await expect(survey.locator('.history li').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/Listing hosts that render MCP Apps$/),
      expect.stringMatching(/Delegated one reader per host$/),
      expect.stringMatching(/Claude Desktop notes in; waiting for VS Code and Cursor$/),
    ]);
    const children = await board
      .item(IDS.survey)
      .locator(':scope > ul > li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-task-id')));
    expect(children).toEqual([IDS.claude, IDS.vscode, IDS.cursor, IDS.merge]);
    const claude = await board.expand(IDS.claude);
    await expect(claude.getByRole('heading', { name: 'Result' })).toBeDefined();
    await expect(claude.innerText()).resolves.toMatch(/renders ui:\/\/ resources in a sandboxed iframe/);
    const merge = await board.expand(IDS.merge);
    await expect(merge.innerText()).resolves.toMatch(/Depends on\s+t-claude-docs t-vscode-docs t-cursor-notes/);
    const review = await board.expand(IDS.review);
    await expect(review.locator('pre.bad').innerText()).resolves.toBe(
      'provider error: 529 overloaded (after 3 retries)',
    );
    await board.collapse(IDS.survey);
    await expect(board.row(IDS.claude).count()).resolves.toBe(0);
    expect(watched.problems.all()).toEqual([]);
  });

  it('updates live: a new task appears, then its progress and its completion, each within a second', async () => {
    const { board, server, watched } = await open();
    const now = Date.now();
    server.change(
      wireTask(now, { id: 't-live', assignee_id: 'coder', description: 'Fix the flaky watcher test', created: 0 }),
    );
    await board.waitForTask('t-live', { timeout: 1000 });
    const roots0 = await roots(board).first().getAttribute('data-row');
    expect(roots0).toBe('t-live');
    server.change({
      ...latest(server, 't-live'),
      progress: [{ at: new Date().toISOString(), message: 'Reproduced it: a race on rename' }],
    });
    await board.waitForText('t-live', 'Reproduced it: a race on rename', 1000);
    server.change({
      ...latest(server, 't-live'),
      status: 'completed',
      result: 'fixed',
      finished_at: new Date().toISOString(),
    });
    await board.waitForTask('t-live', { status: 'completed', timeout: 1000 });
    await expect(board.row('t-live').innerText()).resolves.toMatch(/Completed[\s\S]*took \d+s/);
    // One sentence a second at most in the live region: the last batch is the completion.
    await board.liveRegion().filter({ hasText: 'coder completed “Fix the flaky watcher test”.' }).waitFor();
    await expect(board.root.locator('.tally').innerText()).resolves.toMatch(/^7 trees/);
    expect(watched.problems.all()).toEqual([]);
  });

  it('resumes a dropped stream with Last-Event-ID: the changes made meanwhile arrive, none twice', async () => {
    const { board, server, watched } = await open();
    await board.expand(IDS.survey);
    await board.waitForTask(IDS.vscode);
    const before = server.seq;
    expect(server.resumes).toEqual([String(before)]);
    server.refuseStreams = true;
    server.dropStreams();
    await board.root.getByText(/^Lost the connection/).waitFor();
    await expect(board.connection().innerText()).resolves.toBe('Reconnecting');
    const vscode = latest(server, IDS.vscode);
    server.change({
      ...vscode,
      progress: [...(vscode.progress as object[]), { at: new Date().toISOString(), message: 'All 5 pages read' }],
    });
    server.change({
      ...latest(server, IDS.vscode),
      status: 'completed',
      result: 'notes',
      finished_at: new Date().toISOString(),
    });
    server.refuseStreams = false;
    await board.waitForTask(IDS.vscode, { status: 'completed' });
    await expect(board.connection().innerText()).resolves.toBe('Live');
    await expect(board.root.getByText(/^Lost the connection/).count()).resolves.toBe(0);
    // Every reconnect asked for what came after the last change the page had: nothing lost, nothing repeated.
    expect(server.resumes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(server.resumes)).toEqual(new Set([String(before)]));
    const events = server.requests.filter((request) => request.path === '/board/api/events');
    expect(events.every((request) => request.headers['last-event-id'] === String(before))).toBe(true);
    // The page did not refetch the snapshot: the stream alone brought it up to date.
    expect(server.requests.filter((request) => request.path.startsWith('/board/api/tasks?'))).toHaveLength(1);
    // A later change resumes from the newest seq the page applied.
    server.dropStreams();
    await expect.poll(() => server.resumes.at(-1), { timeout: 10_000 }).toBe(String(server.seq));
    // Breaking a stream on purpose makes Chromium report the aborted request; nothing else went wrong.
    expect(watched.problems.pageErrors).toEqual([]);
    expect(
      watched.problems.consoleErrors.filter(
        (text) => !/ERR_(INCOMPLETE_CHUNKED_ENCODING|EMPTY_RESPONSE)|503/.test(text),
      ),
    ).toEqual([]);
  });

  it('asks for a token once, refuses a wrong one, keeps the right one for the tab only and never puts it in a URL', async () => {
    const tokens = { 'tok-host-0123': 'host', 'tok-bob-4567': 'bob' };
    const { board, server, page, watched } = await open({ tokens, admin: false });
    await board.tokenInput().waitFor();
    await expect(board.tokenInput().getAttribute('type')).resolves.toBe('password');
    await board.signIn('not-a-token');
    await board.root.getByRole('alert').filter({ hasText: 'That token was not accepted' }).waitFor();
    await board.signIn('tok-host-0123');
    await board.waitForLoaded();
    await board.waitForTask(IDS.survey);
    // host is a party to its own tasks and bob's delegation, not to the subagents' tasks below its root.
    await board.expand(IDS.survey);
    await expect(board.row(IDS.claude).count()).resolves.toBe(0);
    await expect(page.evaluate(() => sessionStorage.getItem('baton-board-token'))).resolves.toBe('tok-host-0123');
    const api = server.requests.filter((request) => request.path.startsWith('/board/api/'));
    const signedIn = api.filter((request) => request.headers.authorization === 'Bearer tok-host-0123');
    expect(signedIn.map((request) => request.path.replace(/\?.*/, ''))).toEqual(
      expect.arrayContaining(['/board/api/session', '/board/api/tasks', '/board/api/events']),
    );
    for (const request of server.requests) expect(request.path).not.toMatch(/tok-/);
    expect(page.url()).not.toMatch(/tok-/);
    // A reload in the same tab does not ask again.
    await page.reload();
    await board.waitForLoaded();
    await expect(board.tokenInput().count()).resolves.toBe(0);
    // Signing out forgets it.
    await board.root.getByRole('button', { name: 'Sign out' }).click();
    await board.tokenInput().waitFor();
    await expect(page.evaluate(() => sessionStorage.getItem('baton-board-token'))).resolves.toBeNull();
    // The only errors are the browser's notes of the expected 401 answers.
    expect(watched.problems.pageErrors).toEqual([]);
    expect(watched.problems.consoleErrors.filter((text) => !/status of 401/.test(text))).toEqual([]);
  });

  it('shows another token’s viewer only what the server sends it', async () => {
    const { board, watched } = await open({ tokens: { 'tok-bob-4567': 'bob' }, admin: false });
    await board.signIn('tok-bob-4567');
    await board.waitForLoaded();
    await expect(roots(board).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-row')))).resolves.toEqual([
      IDS.translate,
    ]);
    await expect(board.root.getByText('viewing as').locator('..').innerText()).resolves.toMatch(/bob/);
    // bob delegated it: bob may cancel it.
    await board.expand(IDS.translate);
    await expect(board.cancelButton(IDS.translate).count()).resolves.toBe(1);
    expect(watched.problems.pageErrors).toEqual([]);
  });

  it('offers cancel only to the delegator of a live task, and cancels through a JSON POST with the CSRF header', async () => {
    const { board, server, watched } = await open();
    await board.expand(IDS.translate); // delegated by bob to host: host is the assignee
    await expect(board.cancelButton(IDS.translate).count()).resolves.toBe(0);
    await expect(board.details(IDS.translate).getByRole('button', { name: 'Message bob…' }).count()).resolves.toBe(1);
    await board.expand(IDS.jsonFlag); // host's, but completed
    await expect(board.cancelButton(IDS.jsonFlag).count()).resolves.toBe(0);
    await board.expand(IDS.survey);
    await board.expand(IDS.vscode); // delegated by researcher, not by host (admin sees it, may not cancel it)
    await expect(board.cancelButton(IDS.vscode).count()).resolves.toBe(0);

    await board.cancel(IDS.survey, 'superseded by the new plan');
    const post = server.requests.find((request) => request.method === 'POST');
    expect(post).toMatchObject({
      path: `/board/api/tasks/${IDS.survey}/cancel`,
      body: { reason: 'superseded by the new plan' },
    });
    expect(post!.headers['x-baton-board']).toBe('1');
    expect(post!.headers['content-type']).toMatch(/^application\/json/);
    for (const id of [IDS.survey, IDS.vscode, IDS.cursor, IDS.merge])
      await board.waitForTask(id, { status: 'cancelled' });
    await expect(board.statusOf(IDS.claude)).resolves.toBe('completed');
    await board
      .liveRegion()
      .filter({ hasText: /cancelled 4 task\(s\)|4 tasks changed/ })
      .waitFor();
    // The task ended: its cancel button is gone and the keyboard stays on its row.
    await expect(board.cancelButton(IDS.survey).count()).resolves.toBe(0);
    await expect.poll(() => board.row(IDS.survey).evaluate((row) => row === document.activeElement)).toBe(true);
    expect(watched.problems.all()).toEqual([]);
  });

  it('shows the server’s refusal of a cancel and changes nothing', async () => {
    const { board, server, watched } = await open();
    const details = await board.expand(IDS.survey);
    // The server's answer decides, whatever the page believed: here it no longer lets host cancel the task.
    server.tasks.set(IDS.survey, { ...latest(server, IDS.survey), delegated_by: 'someone-else' });
    await board.cancelButton(IDS.survey).click();
    await details.getByRole('button', { name: 'Cancel task', exact: true }).click();
    await details.getByRole('alert').filter({ hasText: 'task not found' }).waitFor();
    await expect(board.statusOf(IDS.survey)).resolves.toBe('in_progress');
    expect(watched.problems.pageErrors).toEqual([]);
    expect(watched.problems.consoleErrors.filter((text) => !/status of 404/.test(text))).toEqual([]);
  });

  it('sends a message to the task’s agent through a JSON POST with the CSRF header', async () => {
    const { board, server, watched } = await open();
    await board.sendMessage(IDS.survey, 'Please include Zed as well.');
    const post = server.requests.find((request) => request.method === 'POST');
    expect(post).toMatchObject({
      path: '/board/api/messages',
      body: { to_agent_id: 'researcher', content: 'Please include Zed as well.', task_id: IDS.survey },
    });
    expect(post!.headers['x-baton-board']).toBe('1');
    expect(post!.headers['content-type']).toMatch(/^application\/json/);
    await board.liveRegion().filter({ hasText: 'Message sent to researcher.' }).waitFor();
    // An admin looking at a task between two others may write to either.
    await board.expand(IDS.survey);
    await board.sendMessage(IDS.vscode, 'Skip the changelog.', 'researcher');
    expect(server.requests.filter((request) => request.method === 'POST').at(-1)?.body).toMatchObject({
      to_agent_id: 'researcher',
      task_id: IDS.vscode,
    });
    expect(watched.problems.all()).toEqual([]);
  });

  it('filters by status, agent and group, and searches descriptions', async () => {
    const { board, watched } = await open();
    await board.filterStatus('Failed');
    expect(await board.visibleTaskIds()).toEqual([IDS.review]);
    await expect(board.statusFilter('Failed').getAttribute('aria-pressed')).resolves.toBe('true');
    await board.filterStatus('Timed out');
    expect(await board.visibleTaskIds()).toEqual([IDS.review, IDS.e2e]);
    await board.clearFilters();
    await board.filterAgent('web-reader');
    // The branch to the matches shows without being opened; the root is context.
    expect(await board.visibleTaskIds()).toEqual([IDS.survey, IDS.claude, IDS.vscode, IDS.cursor]);
    await expect(board.row(IDS.survey).getAttribute('class')).resolves.toMatch(/context/);
    await board.filterAgent('');
    await board.filterGroup('cli');
    expect(await board.visibleTaskIds()).toEqual([IDS.jsonFlag, IDS.e2e]);
    await board.filterGroup('');
    await board.search('french');
    expect(await board.visibleTaskIds()).toEqual([IDS.translate]);
    await board.search('no such words anywhere');
    await board.root.getByText('No task matches these filters.').waitFor();
    await board.clearFilters();
    expect(await board.visibleTaskIds()).toHaveLength(6);
    expect(watched.problems.all()).toEqual([]);
  });

  it('works with the keyboard alone: one tab stop for the trees, arrows to move, open and close, visible focus', async () => {
    const { board, page, watched } = await open();
    const focused = () =>
      page.evaluate(
        () =>
          document.activeElement?.getAttribute('data-row') ??
          document.activeElement?.id ??
          document.activeElement?.tagName,
      );
    await page.keyboard.press('Tab'); // search
    expect(await focused()).toBe('search');
    for (let i = 0; i < 12 && (await focused()) !== IDS.survey; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe(IDS.survey);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(IDS.translate);
    await page.keyboard.press('End');
    expect(await focused()).toBe(IDS.refactor);
    await page.keyboard.press('Home');
    expect(await focused()).toBe(IDS.survey);
    await page.keyboard.press('ArrowRight'); // opens
    await board.details(IDS.survey).waitFor();
    await page.keyboard.press('ArrowRight'); // to the first child
    expect(await focused()).toBe(IDS.claude);
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(IDS.vscode);
    await page.keyboard.press('ArrowLeft'); // closed: to the parent
    expect(await focused()).toBe(IDS.survey);
    await page.keyboard.press('ArrowLeft'); // open: closes
    await board.details(IDS.survey).waitFor({ state: 'detached' });
    await page.keyboard.press('Enter'); // the row is a button
    await board.details(IDS.survey).waitFor();
    // Tab leaves the rows for the open task's own controls: message, then cancel.
    await page.keyboard.press('Tab');
    for (
      let i = 0;
      i < 6 && !(await page.evaluate(() => document.activeElement?.textContent === 'Cancel task…'));
      i++
    ) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    const reason = board.details(IDS.survey).getByLabel(/^Reason/);
    // The form takes the focus in an effect after it renders: asked until then, not once right after the key.
    await expect.poll(() => reason.evaluate((input) => input === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel task…');
    expect(watched.problems.all()).toEqual([]);
  });

  it('is readable on a phone: one column, nothing wider than the screen', async () => {
    const { board, page, watched } = await open(
      {},
      { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    );
    const width = () => page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    const [scroll, inner] = await width();
    expect(scroll).toBeLessThanOrEqual(inner!);
    await board.expand(IDS.survey);
    await board.expand(IDS.claude);
    const [scrollOpen, innerOpen] = await width();
    expect(scrollOpen).toBeLessThanOrEqual(innerOpen!);
    // The description wraps instead of vanishing behind an ellipsis on one line.
    const lines = await board
      .row(IDS.survey)
      .locator('.description')
      .evaluate((element) =>
        Math.round(element.getBoundingClientRect().height / parseFloat(getComputedStyle(element).lineHeight)),
      );
    expect(lines).toBe(2);
    // The row's parts are stacked: status and time on top, the description under them.
    const top = (selector: string) =>
      board
        .row(IDS.survey)
        .locator(selector)
        .evaluate((element) => element.getBoundingClientRect().top);
    expect(await top('.description')).toBeGreaterThan(await top('.status'));
    expect(watched.problems.all()).toEqual([]);
  });
});
