import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, tempDir } from '../helpers/core.js';
import type { StdioProcess } from '../helpers/stdio.js';
import { CLI, startStdio } from '../helpers/stdio.js';

describe('baton over stdio', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const running: StdioProcess[] = [];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.close();
    await cleanup();
  });
  const start = async (as: string) => {
    const p = await startStdio(['--as', as, '--store', path.join(dir, 'store.json')]);
    running.push(p);
    return p;
  };

  it('lets two processes on one store delegate, report, complete and notify', async () => {
    const alice = await start('alice');
    const bob = await start('bob');

    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'Translate the README into French',
    });
    const assigned = await bob.ok<{ tasks: Array<{ id: string; delegated_by: string }> }>('list_tasks', {
      role: 'assigned_to_me',
    });
    expect(assigned.tasks).toMatchObject([{ id: task_id, delegated_by: 'alice' }]);

    await bob.ok('report_task_progress', { task_id, message: 'half done', data: { percent: 50 } });
    await bob.ok('complete_task', { task_id, result: 'Baton est un serveur MCP…' });

    const { task } = await alice.ok<{ task: { status: string; result: string; progress: unknown[] } }>('get_task', {
      task_id,
    });
    expect(task.status).toBe('completed');
    expect(task.result).toBe('Baton est un serveur MCP…');
    expect(task.progress).toMatchObject([{ message: 'half done', data: { percent: 50 } }]);

    const inbox = await alice.ok<{ items: Array<{ event: string; task_id: string }> }>('read_inbox');
    expect(inbox.items.map((i) => [i.event, i.task_id])).toEqual([
      ['task.notification.progress', task_id],
      ['task.notification.completed', task_id],
    ]);
    // Live, across processes: alice's server saw bob's changes in the shared store and pushed them.
    const events = await eventually(
      () => {
        const seen = alice.messages.map((m) => (m as { event: string }).event);
        return seen.length >= 2 ? seen : null;
      },
      5000,
      'live notifications to alice',
    );
    expect(events).toEqual(['task.notification.progress', 'task.notification.completed']);

    const carol = await start('carol');
    expect(await carol.err('get_task', { task_id })).toBe(`task not found: ${task_id}`);
    expect(await alice.err('complete_task', { task_id, result: 'mine' })).toMatch(/assigned to bob; only its assignee/);
  });

  it('writes nothing but JSON-RPC to stdout, even with debug logging', async () => {
    const child = spawn(process.execPath, [CLI, '--store', path.join(dir, 'store.json'), '--log-level', 'debug'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'delegate_task', arguments: { assignee_id: 'bob', description: 'x' } },
    });
    send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'get_task', arguments: { task_id: 'nope' } } });
    await eventually(() => stdout.split('\n').filter(Boolean).length >= 4, 5000, 'four answers');
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((l) => l !== '');
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    // JSON-RPC answers need not come in order; each request gets exactly one.
    expect(lines.map((l) => (JSON.parse(l) as { id?: number }).id).sort()).toEqual([1, 2, 3, 4]);
    expect(stderr).toMatch(/shutting down \(stdin closed\)/);
  });
});
