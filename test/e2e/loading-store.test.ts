/**
 * The built CLI serves while its store loads (issue 15, item 3). BATON_TEST_HOLD_STORE=<file> holds the store
 * "loading" until that file exists: `initialize` is answered meanwhile, over a real MCP client; a tool call waits
 * and is answered once the store is open. An unreadable store found after `initialize` was answered still stops
 * the server with its one line on stderr and exit code 1, answers the call that waited with that line, and leaves
 * the files byte-identical.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cleanEnv } from '../helpers/cli.js';
import { eachTempStore } from '../helpers/core.js';
import { startStdio } from '../helpers/stdio.js';

/** A snapshot with a task that lacks every field but its id: unreadable. */
const UNREADABLE = '{"schema_version":3,"generation":1,"seq":0,"tasks":[\n{"id":"a"}\n],"inbox":[\n]}\n';

describe('the built CLI while its store loads', () => {
  let store: string;
  let dir: string;
  /** Its store is held "loading" until this file exists. */
  let hold: string;
  eachTempStore((f, d) => {
    [store, dir, hold] = [f, d, path.join(d, 'open-now')];
  });

  /** `baton --store <store>` as a host starts it, raw: its exit code and stderr. */
  function startHeld() {
    const child = spawn(process.execPath, [CLI, '--store', store], {
      cwd: dir,
      env: cleanEnv({ BATON_TEST_HOLD_STORE: hold }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
  }

  it('answers initialize and tools/list while the store is held, and a tool call once it is open', async () => {
    const host = await startStdio(['--store', store], { BATON_TEST_HOLD_STORE: hold }); // initialize answered
    try {
      expect((await host.client.listTools()).tools.map((t) => t.name)).toContain('delegate_task');
      let answered = false;
      const call = host.ok('delegate_task', { assignee_id: 'bob', description: 'sent while loading' }).then((r) => {
        answered = true;
        return r;
      });
      await host.client.ping(); // answered while the store is held; the call went in before it and waits
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(answered).toBe(false);
      await writeFile(hold, '');
      expect(await call).toMatchObject({ task_id: expect.any(String) });
      expect(JSON.stringify(await host.ok('list_tasks', {}))).toContain('sent while loading');
    } finally {
      await host.close();
    }
  });

  it('stops with the one line and exit 1 on an unreadable store, after initialize, leaving the files as they were', async () => {
    await writeFile(store, UNREADABLE);
    await writeFile(`${store}.journal`, '{"generation":1}\n');
    const before = await Promise.all([readFile(store), readFile(`${store}.journal`)]);
    const { child, exited, stderr } = startHeld();
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    const answer = async (id: number) => {
      for (;;) {
        const line = stdout.split('\n').find((l) => l.includes(`"id":${id}`));
        if (line) return JSON.parse(line) as { result?: unknown; error?: { message: string } };
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    expect(await answer(1)).toMatchObject({ result: { serverInfo: { name: 'baton' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_tasks', arguments: {} } });
    await writeFile(hold, '');

    expect(await exited).toBe(1);
    const line = /^baton: (cannot read store .*store\.json: line 2 \(tasks\): .*; the file was left untouched)\n$/.exec(
      stderr(),
    );
    expect(line, stderr()).not.toBeNull();
    expect((await answer(2)).error?.message).toBe(line?.[1]);
    expect(await Promise.all([readFile(store), readFile(`${store}.journal`)])).toEqual(before);
  });

  it('still stops with the one line and exit 1 when stdin closed while the store was loading', async () => {
    await writeFile(store, UNREADABLE);
    const before = await readFile(store);
    const { child, exited, stderr } = startHeld();
    child.stdin.end(); // the client goes away at once
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(hold, '');
    expect(await exited).toBe(1);
    expect(stderr()).toMatch(/^baton: cannot read store .*store\.json: line 2 \(tasks\): .*left untouched\n$/);
    expect(await readFile(store)).toEqual(before);
  });
});
