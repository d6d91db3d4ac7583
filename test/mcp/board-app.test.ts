/**
 * The task board as an MCP App, through a real SDK client: the `ui://` resource is listed and readable as an MCP
 * App page, subagent_dispatch / wait_for_tasks / get_task link to it in `_meta`, and the app-only board_snapshot
 * answers the connection's own tasks (a snapshot, then the changes after a seq, and pinned trees).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { boardDir } from '../../src/board/assets.js';
import { startCore } from '../helpers/core.js';
import type { Core, TestClient } from '../helpers/core.js';

const URI = 'ui://baton/board.html';

interface Snapshot {
  seq: number;
  tasks: { id: string; status: string; seq: number; root_task_id: string }[];
  viewer: string;
  admin: boolean;
}

describe('the board MCP App', () => {
  let core: Core;
  let host: TestClient;
  beforeEach(async () => {
    core = await startCore();
    host = await core.connect('host', { apps: true });
  });
  afterEach(async () => {
    await core.close();
  });

  it('lists the ui:// resource and reads it as the app page built in app mode', async () => {
    const { resources } = await host.client.listResources();
    const listed = resources.find((r) => r.uri === URI);
    expect(listed).toMatchObject({ mimeType: 'text/html;profile=mcp-app', name: 'Baton task board' });
    const read = await host.client.readResource({ uri: URI });
    const content = read.contents[0] as { uri: string; mimeType: string; text: string };
    expect(content.uri).toBe(URI);
    expect(content.mimeType).toBe('text/html;profile=mcp-app');
    expect(content.text).toBe(readFileSync(`${boardDir()}/app.html`, 'utf8'));
    expect(content.text).toMatch(/^<!doctype html>/i);
  });

  it('links subagent_dispatch, wait_for_tasks and get_task to it, and marks board_snapshot app-only', async () => {
    const { tools } = await host.client.listTools();
    const meta = (name: string) => tools.find((t) => t.name === name)?._meta as Record<string, unknown> | undefined;
    for (const name of ['subagent_dispatch', 'wait_for_tasks', 'get_task']) {
      expect(meta(name), name).toEqual({ ui: { resourceUri: URI }, 'ui/resourceUri': URI });
    }
    for (const name of ['delegate_task', 'list_tasks', 'cancel_task']) expect(meta(name), name).toBeUndefined();
    expect(meta('board_snapshot')).toEqual({ ui: { resourceUri: URI, visibility: ['app'] }, 'ui/resourceUri': URI });
  });

  it('lists board_snapshot only to a host that renders MCP Apps (the others see the tool list they saw before)', async () => {
    const plain = await core.connect('host');
    const names = (await plain.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('get_task');
    expect(names).not.toContain('board_snapshot');
    expect((await host.client.listTools()).tools.map((t) => t.name)).toContain('board_snapshot');
  });

  it('publishes no board app when --tools leaves out every tool that shows it', async () => {
    await core.close();
    core = await startCore({ tools: ['delegate_task', 'list_tasks'] });
    host = await core.connect('host', { apps: true });
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['delegate_task', 'list_tasks']);
    const { resources } = await host.client.listResources();
    expect(resources.map((r) => r.uri)).not.toContain(URI);
  });

  it("answers board_snapshot with the connection's own tasks, then only the changes after a seq", async () => {
    const bob = await core.connect('bob');
    const mine = await host.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'mine' });
    const theirs = await bob.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'carol',
      description: 'not mine',
    });
    const first = await host.ok<Snapshot>('board_snapshot', {});
    expect(first.viewer).toBe('host');
    expect(first.admin).toBe(false);
    expect(first.tasks.map((t) => t.id)).toEqual([mine.task_id]);
    expect(first.seq).toBeGreaterThan(0);

    const none = await host.ok<Snapshot>('board_snapshot', { after_seq: first.seq });
    expect(none).toMatchObject({ seq: first.seq, tasks: [] });

    await bob.ok('report_task_progress', { task_id: mine.task_id, message: 'half way' });
    await bob.ok('report_task_progress', { task_id: theirs.task_id, message: 'not yours' }).catch(() => undefined);
    await core.connect('carol').then((carol) => carol.ok('complete_task', { task_id: theirs.task_id, result: 'x' }));
    const next = await host.ok<Snapshot>('board_snapshot', { after_seq: first.seq });
    expect(next.tasks.map((t) => [t.id, t.status])).toEqual([[mine.task_id, 'in_progress']]);
    expect(next.seq).toBeGreaterThan(first.seq);
    expect(next.tasks[0]!.seq).toBeLessThanOrEqual(next.seq);
  });

  it('includes the trees of task_ids, and never a task the connection is no party to', async () => {
    const bob = await core.connect('bob');
    const theirs = await bob.ok<{ task_id: string }>('delegate_task', { assignee_id: 'carol', description: 'secret' });
    const mine = await host.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'mine' });
    const child = await bob.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'dave',
      description: 'a child host is no party to',
      parent_task_id: mine.task_id,
    });
    const head = (await host.ok<Snapshot>('board_snapshot', {})).seq;
    const pinned = await host.ok<Snapshot>('board_snapshot', {
      after_seq: head,
      task_ids: [mine.task_id, theirs.task_id, child.task_id],
    });
    expect(pinned.tasks.map((t) => t.id)).toEqual([mine.task_id]);
    const asBob = await bob.ok<Snapshot>('board_snapshot', { task_ids: [mine.task_id] });
    expect(asBob.tasks.map((t) => t.id).sort()).toEqual([theirs.task_id, mine.task_id, child.task_id].sort());
  });

  it('refuses a bad after_seq, naming it', async () => {
    const text = await host.err('board_snapshot', { after_seq: -1 });
    expect(text).toMatch(/after_seq/);
  });
});
