/**
 * `baton board` end to end (SPEC §2, §12): the built CLI serves the board on loopback over a store that a stdio
 * host's Baton (another process) writes to; the board sees its tasks live, refuses foreign hosts and origins, takes
 * no queued work, and stops cleanly on SIGTERM. A bad --port is one clear line and exit 2.
 */
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import type { SpawnedCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';
import { openSse } from '../helpers/sse.js';
import { startStdio } from '../helpers/stdio.js';
import type { StdioProcess } from '../helpers/stdio.js';

/** The status of a GET with raw headers (fetch will not send its own Host). */
function statusOf(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

describe('baton board', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const running: SpawnedCli[] = [];
  const hosts: StdioProcess[] = [];
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.close();
    for (const cli of running.splice(0)) {
      if (cli.process.exitCode === null) cli.process.kill('SIGKILL');
    }
    await tmp.cleanup();
  });

  const store = () => path.join(tmp.dir, 'store.json');
  const startBoard = async (): Promise<{ cli: SpawnedCli; url: string }> => {
    const cli = spawnCli(['board', '--port', '0', '--store', store()], { cwd: tmp.dir });
    running.push(cli);
    const end = Date.now() + 15_000;
    for (;;) {
      const match = /task board on (http:\/\/127\.0\.0\.1:\d+)\//.exec(cli.stderr());
      if (match) return { cli, url: match[1]! };
      if (cli.process.exitCode !== null || Date.now() > end) throw new Error(`baton board: ${cli.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it("shows a stdio host's tasks live from its own process, as the local operator", async () => {
    const { cli, url } = await startBoard();
    const session = (await (await fetch(`${url}/board/api/session`)).json()) as Record<string, unknown>;
    expect(session).toMatchObject({ viewer: 'host', admin: true, auth: 'none' });
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'sha256-/);

    const stream = await openSse(`${url}/board/api/events`);
    const host = await startStdio(['--store', store(), '--as', 'alice', '--no-bundled-agents']);
    hosts.push(host);
    const { task_id } = await host.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'from a stdio host',
    });
    const [event] = await stream.waitFor(1);
    expect(event).toMatchObject({ event: 'task' });
    expect(JSON.parse(event!.data)).toMatchObject({ id: task_id, delegated_by: 'alice', status: 'in_progress' });
    stream.close();

    const snapshot = (await (await fetch(`${url}/board/api/tasks`)).json()) as { tasks: { id: string }[] };
    expect(snapshot.tasks.map((t) => t.id)).toEqual([task_id]);
    // The operator acts as --as (host), who did not delegate it: the same rule as cancel_task.
    const cancel = await fetch(`${url}/board/api/tasks/${task_id}/cancel`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Baton-Board': '1' },
      body: '{}',
    });
    expect(cancel.status).toBe(404);

    // No MCP endpoint here, and no foreign Host or Origin (DNS rebinding).
    expect((await fetch(`${url}/mcp`, { method: 'POST' })).status).toBe(404);
    await expect(statusOf(`${url}/board/api/session`, { Host: 'evil.example' })).resolves.toBe(403);
    await expect(statusOf(`${url}/board/api/session`, { Origin: 'http://evil.example' })).resolves.toBe(403);
    await expect(statusOf(`${url}/board/api/session`, { Host: 'localhost' })).resolves.toBe(200);

    cli.process.kill('SIGTERM');
    await expect(cli.exited).resolves.toEqual({ code: 0, signal: null });
    expect(cli.stderr()).toMatch(/stopping the board \(SIGTERM\)/);
  });

  it('refuses a bad --port with one line and exit code 2', async () => {
    const result = await runCli(['board', '--port', 'eighty', '--store', store()], { cwd: tmp.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('baton: invalid --port: expected a port number from 0 to 65535 (got "eighty")\n');
    expect(result.stdout).toBe('');
  });
});
