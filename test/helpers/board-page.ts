/**
 * Drives the task board in a browser the way a person does: through its roles and labels (so the tests also
 * check what a screen reader is told). Works on the page itself or on the board framed inside a host (MCP App).
 * Part B's end-to-end tests use the same helpers against real Baton.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';

type Root = Pick<Page, 'locator' | 'getByRole' | 'getByLabel' | 'getByText'> | FrameLocator;

/** Generous for a loaded 2-core machine; a live update itself is expected well within a second. */
const WAIT_MS = 10_000;

const attr = (value: string) => JSON.stringify(value);

/** Waits until an action's panel closed (it did it) or shows an error, which fails the caller with its text. */
async function settled(panel: Locator, action: string): Promise<void> {
  const error = panel.getByRole('alert');
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if ((await panel.count()) === 0) return;
    if ((await error.count()) > 0) throw new Error(`the ${action} failed: ${await error.innerText()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the ${action} did not finish within ${WAIT_MS} ms`);
}

export class BoardPage {
  constructor(
    readonly page: Page,
    readonly root: Root = page,
  ) {}

  /** Opens the board at `url`; with `token`, signs in at the prompt; resolves once the first data arrived. */
  static async open(page: Page, url: string, options: { token?: string } = {}): Promise<BoardPage> {
    await page.goto(url);
    const board = new BoardPage(page);
    if (options.token !== undefined) await board.signIn(options.token);
    await board.waitForLoaded();
    return board;
  }

  /** The board in a host's frame. */
  static inFrame(page: Page, frameSelector = 'iframe'): BoardPage {
    return new BoardPage(page, page.frameLocator(frameSelector));
  }

  async waitForLoaded(): Promise<void> {
    await this.root
      .getByRole('list', { name: 'Task trees' })
      .or(this.root.locator('.empty'))
      .first()
      .waitFor({ timeout: WAIT_MS });
    await this.root.getByText('Loading tasks…').waitFor({ state: 'detached', timeout: WAIT_MS });
  }

  /** The sign-in form (with --tokens). */
  tokenInput(): Locator {
    return this.root.getByLabel('Token', { exact: true });
  }

  async signIn(token: string): Promise<void> {
    await this.tokenInput().fill(token);
    await this.root.getByRole('button', { name: 'Open the board' }).click();
  }

  /** A task's row: the disclosure button of its list item. */
  row(taskId: string): Locator {
    return this.root.locator(`button[data-row=${attr(taskId)}]`);
  }

  item(taskId: string): Locator {
    return this.root.locator(`li[data-task-id=${attr(taskId)}]`);
  }

  details(taskId: string): Locator {
    return this.root.locator(`section[id=${attr(`details-${taskId}`)}]`);
  }

  /** Waits until the task's row is shown (and, with `status`, shows that status). */
  async waitForTask(taskId: string, options: { status?: string; timeout?: number } = {}): Promise<Locator> {
    const row = options.status
      ? this.root.locator(`button[data-row=${attr(taskId)}][data-status=${attr(options.status)}]`)
      : this.row(taskId);
    await row.waitFor({ timeout: options.timeout ?? WAIT_MS });
    return this.row(taskId);
  }

  async waitForText(taskId: string, text: string | RegExp, timeout = WAIT_MS): Promise<void> {
    await this.row(taskId).filter({ hasText: text }).waitFor({ timeout });
  }

  async statusOf(taskId: string): Promise<string | null> {
    return this.row(taskId).getAttribute('data-status');
  }

  /** Opens a task's row (details and children) if it is closed. */
  async expand(taskId: string): Promise<Locator> {
    const row = this.row(taskId);
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await this.details(taskId).waitFor({ timeout: WAIT_MS });
    return this.details(taskId);
  }

  async collapse(taskId: string): Promise<void> {
    const row = this.row(taskId);
    if ((await row.getAttribute('aria-expanded')) === 'true') await row.click();
    await this.details(taskId).waitFor({ state: 'detached', timeout: WAIT_MS });
  }

  cancelButton(taskId: string): Locator {
    return this.details(taskId).getByRole('button', { name: 'Cancel task…' });
  }

  /** Cancels a task through its details (opening them), with an optional reason; fails with the page's error. */
  async cancel(taskId: string, reason?: string): Promise<void> {
    const details = await this.expand(taskId);
    await this.cancelButton(taskId).click();
    const panel = details.getByRole('group', { name: /^Cancel this task/ });
    if (reason !== undefined) await panel.getByLabel(/^Reason/).fill(reason);
    await panel.getByRole('button', { name: 'Cancel task', exact: true }).click();
    await settled(panel, 'cancel');
  }

  /** Sends a message from a task's details to its other party (or `to`, when both are offered). */
  async sendMessage(taskId: string, content: string, to?: string): Promise<void> {
    const details = await this.expand(taskId);
    await details.getByRole('button', { name: /^(Message .+|Send a message)…$/ }).click();
    const panel = details.getByRole('group', { name: /^Message about task/ });
    if (to !== undefined) await panel.getByLabel('To', { exact: true }).selectOption(to);
    await panel.getByLabel(/^Message to /).fill(content);
    await panel.getByRole('button', { name: 'Send', exact: true }).click();
    await settled(panel, 'message');
  }

  statusFilter(label: string): Locator {
    return this.root.getByRole('group', { name: 'Status' }).getByRole('button', { name: new RegExp(`^${label}\\b`) });
  }

  async filterStatus(label: string): Promise<void> {
    await this.statusFilter(label).click();
  }

  async filterAgent(agent: string): Promise<void> {
    await this.root.getByLabel('Agent', { exact: true }).selectOption(agent === '' ? '' : agent);
  }

  async filterGroup(group: string): Promise<void> {
    await this.root.getByLabel('Group', { exact: true }).selectOption(group);
  }

  async search(text: string): Promise<void> {
    await this.root.getByRole('searchbox', { name: 'Search descriptions' }).fill(text);
  }

  async clearFilters(): Promise<void> {
    await this.root.getByRole('button', { name: 'Clear filters' }).first().click();
  }

  /** The ids of the tasks whose rows are shown, top to bottom. */
  async visibleTaskIds(): Promise<string[]> {
    const ids = await this.root
      .locator('button[data-row]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-row') ?? ''));
    return ids;
  }

  /** The connection's state as shown ("Live", "Reconnecting", …). */
  connection(): Locator {
    return this.root.locator('.connection [role=status]');
  }

  /** The aria-live region's current sentence. */
  liveRegion(): Locator {
    return this.root.locator('[data-live]');
  }
}
