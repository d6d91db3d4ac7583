/**
 * Accessibility of the board in a real Chromium: axe-core's WCAG 2.x A and AA rules (contrast, names, labels,
 * roles, landmarks) over the page in light and dark, on a laptop and a phone, with trees, details and the action
 * forms open, and over the sign-in form.
 */
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardPage } from '../../helpers/board-page.js';
import { launchChromium, openWatchedPage, PHONE } from '../../helpers/browser.js';
import { boardTasks, IDS } from '../fixtures.js';
import { startScriptedBoard } from '../scripted-board-server.js';
import type { ScriptedBoardServer } from '../scripted-board-server.js';

const axeSource: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe in the page (through the DevTools protocol, which the page's CSP does not govern). */
async function violations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    });
    return result.violations;
  });
  return found.flatMap((violation) =>
    violation.nodes.map(
      (node) => `${violation.id} (${violation.help}) at ${node.target.join(' ')}: ${node.failureSummary ?? ''}`,
    ),
  );
}

describe('task board accessibility', () => {
  let browser: Browser;
  let server: ScriptedBoardServer;
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startScriptedBoard({ tasks: boardTasks(), admin: true });
  });
  afterAll(async () => {
    await server.close();
    await browser.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [name, viewport] of [
      ['laptop', { width: 1280, height: 800 }],
      ['phone', PHONE],
    ] as const) {
      it(`has no WCAG A/AA violation in ${colorScheme} on a ${name}, with details and forms open`, async () => {
        const watched = await openWatchedPage(browser, { colorScheme, viewport });
        try {
          const board = await BoardPage.open(watched.page, server.url);
          expect(await violations(watched.page)).toEqual([]);
          const survey = await board.expand(IDS.survey);
          await board.expand(IDS.claude);
          await board.expand(IDS.review);
          // Filtered: the ancestors of the matches show as context rows.
          await board.filterAgent('web-reader');
          await board.filterStatus('Running');
          expect(await violations(watched.page)).toEqual([]);
          await board.clearFilters();
          await survey.getByRole('button', { name: 'Message researcher…' }).click();
          await board.cancelButton(IDS.survey).click();
          expect(await violations(watched.page)).toEqual([]);
          expect(watched.problems.all()).toEqual([]);
        } finally {
          await watched.close();
        }
      });
    }
  }

  it('has no WCAG A/AA violation on the sign-in form, before and after a refused token', async () => {
    const tokens = await startScriptedBoard({ tasks: boardTasks(), tokens: { 'tok-a': 'host' } });
    const watched = await openWatchedPage(browser);
    try {
      await watched.page.goto(tokens.url);
      const board = new BoardPage(watched.page);
      await board.tokenInput().waitFor();
      expect(await violations(watched.page)).toEqual([]);
      await board.signIn('wrong');
      await watched.page.getByRole('alert').waitFor();
      expect(await violations(watched.page)).toEqual([]);
    } finally {
      await watched.close();
      await tokens.close();
    }
  });
});
