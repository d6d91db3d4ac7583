/**
 * Hostile and careless input against the built CLI (issue 7), where a regression shows as a failed request or a
 * non-zero exit instead of hanging the test process: one caller's input must never stall the server.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentFile, manyKeys } from '../helpers/agents.js';
import { CLI, cleanEnv, runCli, startHttpServer } from '../helpers/cli.js';
import { eventually, tempDir } from '../helpers/core.js';
import type { StdioProcess } from '../helpers/stdio.js';
import { startStdio } from '../helpers/stdio.js';

describe('the built CLI under hostile input', () => {
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

  it('answers a merge whose pattern backtracks exponentially in a JavaScript RegExp, then keeps serving', async () => {
    const host = await startStdio(['--as', 'host', '--store', path.join(dir, 'store.json')]);
    running.push(host);
    const task_ids: string[] = [];
    for (const result of [`${'a'.repeat(40)}!`, 'aaa']) {
      // The host delegates to itself, so it may complete and then merge the tasks.
      const { task_id } = await host.ok<{ task_id: string }>('delegate_task', {
        assignee_id: 'host',
        description: 'x',
      });
      await host.ok('complete_task', { task_id, result });
      task_ids.push(task_id);
    }
    // '^(a+)+$' over 40 a's and a '!' would take a RegExp days; RE2 answers in microseconds.
    const vote = await host.client.callTool(
      { name: 'merge', arguments: { task_ids, strategy: 'voting', options: { pattern: '^(a+)+$' } } },
      undefined,
      { timeout: 10_000 },
    );
    expect(vote.structuredContent).toMatchObject({ winner: 'aaa', votes: 1, total: 1, abstained: [task_ids[0]] });
    await host.client.ping({ timeout: 5000 });

    // Results large enough to be matched in a worker thread: the bundled CLI finds and runs it too.
    const big: string[] = [];
    for (const verdict of ['Approve', 'approve', 'Reject']) {
      const { task_id } = await host.ok<{ task_id: string }>('delegate_task', {
        assignee_id: 'host',
        description: 'x',
      });
      await host.ok('complete_task', { task_id, result: `${'lorem ipsum '.repeat(30_000)}\n${verdict}` });
      big.push(task_id);
    }
    const review = await host.ok('merge', {
      task_ids: big,
      strategy: 'voting',
      options: { pattern: '^(approve|reject)$' },
    });
    expect(review).toMatchObject({ winner: 'approve', votes: 2, total: 3 });
  });

  it('lists agents past a link to a FIFO, parsing a large frontmatter in the bundled worker', async () => {
    const agents = path.join(dir, 'agents');
    await mkdir(agents);
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    await symlink(path.join(dir, 'pipe'), path.join(agents, 'trap.md'));
    await writeFile(path.join(agents, 'wide.md'), agentFile('Wide.', manyKeys(8 * 1024)));

    // It used to wait forever for a writer on the pipe.
    const run = await runCli(['agents', '--agents', agents, '--no-bundled-agents', '--json'], {
      cwd: dir,
      timeoutMs: 15_000,
    });
    expect(run).toMatchObject({ code: 0, signal: null });
    const listed = JSON.parse(run.stdout) as { agents: Array<{ id: string }>; problems: Array<{ reason: string }> };
    expect(listed.agents.map((a) => a.id)).toEqual(['wide']);
    expect(listed.problems).toEqual([
      { path: path.join(agents, 'trap.md'), reason: 'not a regular file (a FIFO); only regular files are read' },
    ]);
  });

  it('stops on a bad journal record with one line naming the file, the line and the field', async () => {
    const store = path.join(dir, 'store.json');
    const host = await startStdio(['--as', 'host', '--store', store]);
    await host.ok('delegate_task', { assignee_id: 'bob', description: 'x' });
    await host.close();
    const [line] = (await readFile(`${store}.journal`, 'utf8')).split('\n').slice(1);
    const record = JSON.parse(line as string) as { task: Record<string, unknown> };
    await appendFile(`${store}.journal`, `${JSON.stringify({ task: { ...record.task, priority: 'asap' } })}\n`);

    const run = await runCli(['serve', '--store', store], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^baton: cannot read store journal .*store\.json\.journal: line 4: task\.priority: Invalid option: expected one of "low"\|"normal"\|"high"\|"urgent"; left untouched\n$/,
    );
  });

  it('takes --max-sessions from the command line: one session more than that gets 429', async () => {
    const server = await startHttpServer(
      ['--http', '127.0.0.1:0', '--store', path.join(dir, 'store.json'), '--max-sessions', '1'],
      { cwd: dir },
    );
    try {
      const initialize = () =>
        fetch(`${server.url}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
          }),
        });
      expect((await initialize()).status).toBe(200);
      const refused = await initialize();
      expect(refused.status).toBe(429);
      expect(await refused.text()).toMatch(/host already has 1 open session \(--max-sessions\)/);
    } finally {
      server.process.kill('SIGKILL');
    }
  });

  it('answers tools/call with arguments null or a name from Object.prototype with -32602 over stdio', async () => {
    const child = spawn(process.execPath, [CLI, '--store', path.join(dir, 'store.json')], {
      cwd: dir,
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    try {
      const replies = new Map<number, { error?: { code: number; message: string }; result?: unknown }>();
      let buffer = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        for (let at = buffer.indexOf('\n'); at !== -1; at = buffer.indexOf('\n')) {
          const reply = JSON.parse(buffer.slice(0, at)) as { id?: number; error?: { code: number; message: string } };
          buffer = buffer.slice(at + 1);
          if (typeof reply.id === 'number') replies.set(reply.id, reply);
        }
      });
      const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
      send({
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      });
      await eventually(() => replies.get(1), 10_000, 'initialize');
      send({ method: 'notifications/initialized' });
      send({ id: 2, method: 'tools/call', params: { name: 'delegate_task', arguments: null } });
      send({ id: 3, method: 'tools/call', params: { name: '__proto__', arguments: {} } });
      await eventually(() => replies.get(2) && replies.get(3), 10_000, 'both replies');
      expect(replies.get(2)?.error).toEqual({
        code: -32602,
        message: 'tools/call delegate_task: arguments must be an object of named arguments, not null',
      });
      expect(replies.get(3)?.error?.code).toBe(-32602);
      expect(replies.get(3)?.error?.message).toMatch(/^unknown tool "__proto__"; tools: /);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
