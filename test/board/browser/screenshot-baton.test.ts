/**
 * The README's screenshot of the board on real Baton (docs/board.png): a store filled through MCP the way a host
 * and its agents fill it, served by `startHttp`, photographed by scripts/board-screenshot.mjs. The PNG goes to a
 * temp folder, or to BATON_BOARD_SCREENSHOT=dir to keep it (how docs/board.png was made).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotBoard } from '../../../scripts/board-screenshot.mjs';
import { startHttp } from '../../../src/transports/http.js';
import type { RunningHttp } from '../../../src/transports/http.js';
import { startCore } from '../../helpers/core.js';
import type { Core, TestClient } from '../../helpers/core.js';

describe('the board screenshot on real Baton', () => {
  let core: Core;
  let http: RunningHttp;
  let survey = '';
  const keep = process.env.BATON_BOARD_SCREENSHOT;
  const dir = keep ?? mkdtempSync(path.join(tmpdir(), 'baton-shot-'));

  const delegate = async (from: TestClient, to: string, description: string, extra: Record<string, unknown> = {}) =>
    (await from.ok<{ task_id: string }>('delegate_task', { assignee_id: to, description, ...extra })).task_id;

  beforeAll(async () => {
    core = await startCore();
    http = await startHttp(core.baton, { host: '127.0.0.1', port: 0, agentId: 'host', tokens: null });
    const host = await core.connect('host');
    const researcher = await core.connect('researcher');
    const coder = await core.connect('coder');
    const reviewer = await core.connect('reviewer');

    const refactor = await delegate(host, 'coder', 'Move the journal compaction into its own file and test it', {
      group: 'store',
    });
    await coder.ok('report_task_progress', { task_id: refactor, message: 'compaction moved; 14 tests pass' });
    await coder.ok('complete_task', { task_id: refactor, result: 'Done: store-files.ts, 2 new tests.' });
    const review = await delegate(host, 'reviewer', 'Review the PostgreSQL migration for lock ordering', {
      group: 'store',
    });
    await reviewer.ok('fail_task', { task_id: review, error: 'the branch does not build: missing pg types' });
    survey = await delegate(host, 'researcher', 'Compare how MCP hosts render MCP Apps, with sources', {
      group: 'research',
      timeout_seconds: 900,
    });
    const hosts = ['Claude Desktop', 'VS Code', 'Cursor'];
    const children: string[] = [];
    for (const name of hosts) {
      children.push(
        await delegate(researcher, 'reader', `Read ${name}'s documentation on MCP Apps and sum it up`, {
          parent_task_id: survey,
          group: 'research',
        }),
      );
    }
    const reader = await core.connect('reader');
    await reader.ok('report_task_progress', { task_id: children[0]!, message: 'read the release notes' });
    await reader.ok('complete_task', { task_id: children[0]!, result: 'Renders ui:// resources in a sandbox.' });
    await reader.ok('report_task_progress', { task_id: children[1]!, message: 'reading the extension API' });
    await researcher.ok('report_task_progress', {
      task_id: survey,
      message: 'Claude Desktop notes in; waiting for VS Code and Cursor',
    });
    await delegate(host, 'coder', 'Add a --port flag to baton board', { group: 'board' });
  });
  afterAll(async () => {
    await http.close();
    await core.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the README picture: a laptop-sized board with a live tree opened', async () => {
    const out = await screenshotBoard({
      url: `${http.url}/`,
      out: path.join(dir, 'board.png'),
      open: [survey],
      scale: 1,
    });
    const bytes = readFileSync(out);
    expect({ width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }).toEqual({ width: 1280, height: 800 });
    expect(bytes.length).toBeLessThan(300 * 1024);
  });
});
