/**
 * Takes a screenshot of a running task board (the README's picture): opens the board at a URL in the Debian
 * Chromium, signs in when given a token, opens the rows asked for, and writes a PNG. The test suite's helper calls
 * screenshotBoard() against a board it has filled; from a shell:
 *
 *   node scripts/board-screenshot.mjs --url http://127.0.0.1:3000/ --out docs/board.png [--token T]
 *        [--open TASK_ID]... [--width 1280] [--height 800] [--dark]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.mjs';

/* global document, HTMLElement -- used only inside page.evaluate(), which runs in the browser */

/**
 * @param {{ url: string, out: string, token?: string, open?: string[], width?: number, height?: number,
 *   dark?: boolean, scale?: number, fullPage?: boolean }} options
 * @returns {Promise<string>} the path written
 */
export async function screenshotBoard(options) {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
      deviceScaleFactor: options.scale ?? 2,
      colorScheme: options.dark ? 'dark' : 'light',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    await page.goto(options.url);
    if (options.token !== undefined) {
      await page.getByLabel('Token', { exact: true }).fill(options.token);
      await page.getByRole('button', { name: 'Open the board' }).click();
    }
    await page.locator('ul[aria-label="Task trees"], .empty').first().waitFor({ timeout: 15_000 });
    for (const id of options.open ?? []) {
      await page.locator(`button[data-row=${JSON.stringify(id)}]`).click();
    }
    // A picture, not a session: no focus ring, no hover, fonts loaded.
    await page.mouse.move(0, 0);
    await page.evaluate(async () => {
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      await document.fonts.ready;
    });
    const png = await page.screenshot({ fullPage: options.fullPage ?? false, animations: 'disabled' });
    writeFileSync(options.out, png);
    return path.resolve(options.out);
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      out: { type: 'string', default: 'board.png' },
      token: { type: 'string' },
      open: { type: 'string', multiple: true, default: [] },
      width: { type: 'string', default: '1280' },
      height: { type: 'string', default: '800' },
      dark: { type: 'boolean', default: false },
      'full-page': { type: 'boolean', default: false },
    },
  });
  if (!values.url) {
    process.stderr.write(
      'usage: node scripts/board-screenshot.mjs --url URL [--out FILE] [--token T] [--open ID]...\n',
    );
    process.exit(2);
  }
  const written = await screenshotBoard({
    url: values.url,
    out: values.out,
    token: values.token,
    open: values.open,
    width: Number(values.width),
    height: Number(values.height),
    dark: values.dark,
    fullPage: values['full-page'],
  });
  process.stderr.write(`wrote ${written}\n`);
}
