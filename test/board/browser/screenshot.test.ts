/**
 * The README's screenshot, taken by scripts/board-screenshot.mjs against the scripted board: this proves the
 * script works (part B takes the committed picture against real Baton). BATON_BOARD_SCREENSHOT=dir keeps the PNGs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotBoard } from '../../../scripts/board-screenshot.mjs';
import { boardTasks, IDS } from '../fixtures.js';
import { startScriptedBoard } from '../scripted-board-server.js';
import type { ScriptedBoardServer } from '../scripted-board-server.js';

/** Width and height of a PNG, from its IHDR chunk. */
const pngSize = (file: string) => {
  const bytes = readFileSync(file);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
};

describe('board screenshot script', () => {
  let server: ScriptedBoardServer;
  const keep = process.env.BATON_BOARD_SCREENSHOT;
  const dir = keep ?? mkdtempSync(path.join(tmpdir(), 'baton-shot-'));
  beforeAll(async () => {
    server = await startScriptedBoard({ tasks: boardTasks(), admin: true });
  });
  afterAll(async () => {
    await server.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a laptop-sized PNG of the board with a tree opened', async () => {
    const out = await screenshotBoard({ url: server.url, out: path.join(dir, 'board.png'), open: [IDS.survey] });
    expect(pngSize(out)).toEqual({ width: 2560, height: 1600 });
  });

  it('writes a phone-sized and a dark one', async () => {
    const phone = await screenshotBoard({
      url: server.url,
      out: path.join(dir, 'board-phone.png'),
      width: 390,
      height: 844,
      open: [IDS.survey],
      fullPage: true,
    });
    const dark = await screenshotBoard({
      url: server.url,
      out: path.join(dir, 'board-dark.png'),
      dark: true,
      open: [IDS.survey, IDS.vscode],
    });
    expect(pngSize(phone).width).toBe(780);
    expect(pngSize(dark)).toEqual({ width: 2560, height: 1600 });
  });
});
