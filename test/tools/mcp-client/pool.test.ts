import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import type { McpConnection } from '../../../src/tools/mcp-client/connection.js';
import { McpServerPool, mcpAgentTools } from '../../../src/tools/mcp-client/pool.js';
import { McpServersSchema } from '../../../src/tools/mcp-client/server-config.js';
import { liveGroups } from '../../../src/tools/process-group.js';
import { eventually, tempDir } from '../../helpers/core.js';
import { realServers, startHttpTestServer, type HttpTestServer } from '../../helpers/mcp-servers.js';
import { childrenOf, isRunning, waitUntilGone } from '../../helpers/processes.js';

const signal = () => new AbortController().signal;

describe('McpServerPool with real servers from npm', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pool: McpServerPool;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('baton-mcp-'));
    await writeFile(path.join(dir, 'README.md'), '# Hello from the README\n');
    pool = new McpServerPool({
      servers: McpServersSchema.parse({
        filesystem: realServers.filesystem(dir),
        everything: realServers.everything(),
      }),
      log: silentLogger,
      timings: { restartBaseMs: 300, restartMaxMs: 1000, graceMs: 500 },
    });
  });
  afterEach(async () => {
    await pool.close();
    await cleanup();
  });

  it('starts a server on first use, names its tools mcp__<server>__<tool> and calls them', async () => {
    const fs = pool.connection(pool.configuredRef('filesystem')!);
    expect(fs.pid).toBeUndefined(); // nothing runs before first use
    const names = (await fs.tools()).map((t) => t.name);
    expect(names).toContain('read_text_file');
    const tools = mcpAgentTools(fs, (name) => name === 'read_text_file');
    expect(tools.map((t) => t.spec.name)).toEqual(['mcp__filesystem__read_text_file']);
    const out = await tools[0]!.execute({ path: path.join(dir, 'README.md') }, signal());
    expect(out).toMatchObject({ text: expect.stringContaining('# Hello from the README') });
  });

  it('passes images and isError back as the tool output', async () => {
    const everything = pool.connection(pool.configuredRef('everything')!);
    await everything.tools();
    const byName = Object.fromEntries(mcpAgentTools(everything, () => true).map((t) => [t.spec.name, t]));
    const image = await byName['mcp__everything__get-tiny-image']!.execute({}, signal());
    expect(image).toMatchObject({ images: [{ mimeType: 'image/png', data: expect.any(String) }] });
    const fs = pool.connection(pool.configuredRef('filesystem')!);
    await fs.tools();
    const [read] = mcpAgentTools(fs, (n) => n === 'read_text_file');
    const outside = await read!.execute({ path: '/etc/hostname' }, signal());
    expect(outside).toMatchObject({
      isError: true,
      text: expect.stringMatching(/outside allowed directories|Access denied/i),
    });
  });

  it('ends every server process when closed', async () => {
    const fs = pool.connection(pool.configuredRef('filesystem')!);
    const everything = pool.connection(pool.configuredRef('everything')!);
    await Promise.all([fs.tools(), everything.tools()]);
    const pids = [fs.pid!, everything.pid!, ...childrenOf(fs.pid!), ...childrenOf(everything.pid!)];
    expect(pids.slice(0, 2).every(isRunning)).toBe(true);
    await pool.close();
    await waitUntilGone(pids);
    expect(liveGroups().filter((pid) => pids.includes(pid))).toEqual([]);
    await expect(fs.tools()).rejects.toThrow(/closed: Baton is shutting down/);
  });

  it('survives a crash: a clear error meanwhile, then a restart with backoff', async () => {
    const fs = pool.connection(pool.configuredRef('filesystem')!);
    await fs.tools();
    const [read] = mcpAgentTools(fs, (n) => n === 'read_text_file');
    const first = fs.pid!;
    process.kill(first, 'SIGKILL');
    await waitUntilGone([first]);
    await eventually(() => fs.pid === undefined, 5000, 'the crash to be seen');
    await expect(read!.execute({ path: path.join(dir, 'README.md') }, signal())).rejects.toThrow(
      /MCP server 'filesystem' is down \(the process was killed by SIGKILL\); Baton restarts it in 1 s: try again then/,
    );
    const again = await eventually(
      () => read!.execute({ path: path.join(dir, 'README.md') }, signal()).catch(() => null),
      5000,
      'the restart',
    );
    expect(again).toMatchObject({ text: expect.stringContaining('Hello from the README') });
    expect(fs.pid).not.toBe(first);
  });

  it('fails a call in flight at once, naming the crash, when the server dies during it', async () => {
    const everything = pool.connection(pool.configuredRef('everything')!);
    await everything.tools();
    const [slow] = mcpAgentTools(everything, (n) => n === 'trigger-long-running-operation');
    const call = slow!.execute({ duration: 30, steps: 30 }, signal());
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(everything.pid!, 'SIGKILL');
    await expect(call).rejects.toThrow(
      /MCP server 'everything' stopped during the call: the process was killed by SIGKILL; Baton restarts it/,
    );
  });

  it('aborts a call in flight at once when the run is cancelled', async () => {
    const everything = pool.connection(pool.configuredRef('everything')!);
    await everything.tools();
    const [slow] = mcpAgentTools(everything, (n) => n === 'trigger-long-running-operation');
    const controller = new AbortController();
    const call = slow!.execute({ duration: 30, steps: 30 }, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    controller.abort();
    await expect(call).rejects.toThrow(/cancelled/);
    expect(Date.now() - started).toBeLessThan(2000);
    // The server is still fine for the next call.
    const [echo] = mcpAgentTools(everything, (n) => n === 'echo');
    expect(await echo!.execute({ message: 'still here' }, signal())).toMatchObject({
      text: expect.stringContaining('still here'),
    });
  });
});

/** Runs `fn` on a pool whose one server `remote` is a fresh HTTP test server; closes both after. */
async function withHttpServer(
  options: { legacySse?: boolean },
  fn: (remote: McpConnection, http: HttpTestServer) => Promise<void>,
): Promise<void> {
  const http = await startHttpTestServer(options);
  const pool = new McpServerPool({ servers: McpServersSchema.parse({ remote: { url: http.url } }), log: silentLogger });
  try {
    const remote = pool.connection(pool.configuredRef('remote')!);
    await remote.tools();
    await fn(remote, http);
  } finally {
    await pool.close();
    await http.close();
  }
}

describe('McpServerPool over HTTP', () => {
  it('speaks Streamable HTTP, and the server sees a cancelled call cancelled', () =>
    withHttpServer({}, async (remote, http) => {
      const byName = Object.fromEntries(mcpAgentTools(remote, () => true).map((t) => [t.spec.name, t]));
      expect(await byName.mcp__remote__add!.execute({ a: 2, b: 3 }, signal())).toMatchObject({ text: '5' });
      const controller = new AbortController();
      const started = http.slowStarted();
      const call = byName.mcp__remote__slow!.execute({}, controller.signal);
      await started;
      controller.abort();
      await expect(call).rejects.toThrow(/cancelled/);
      await eventually(() => http.cancelled === 1, 5000, 'the server to see the cancellation');
    }));

  it('follows notifications/tools/list_changed: a tool the server adds is offered from the next turn', () =>
    withHttpServer({}, async (remote) => {
      const names = () => mcpAgentTools(remote, () => true).map((t) => t.spec.name);
      expect(names()).not.toContain('mcp__remote__grown');
      await mcpAgentTools(remote, (n) => n === 'grow')[0]!.execute({}, signal());
      await eventually(() => names().includes('mcp__remote__grown'), 5000, 'the new tool');
    }));

  it('falls back to the legacy HTTP+SSE transport when the server does not speak Streamable HTTP', () =>
    withHttpServer({ legacySse: true }, async (remote) => {
      const [add] = mcpAgentTools(remote, (n) => n === 'add');
      expect(await add!.execute({ a: 20, b: 22 }, signal())).toMatchObject({ text: '42' });
    }));

  it('gives a clear error when a server cannot start', async () => {
    const pool = new McpServerPool({
      servers: McpServersSchema.parse({
        broken: { command: process.execPath, args: ['-e', 'console.error("no config"); process.exit(3)'] },
      }),
      log: silentLogger,
    });
    try {
      await expect(pool.connection(pool.configuredRef('broken')!).tools()).rejects.toThrow(
        /MCP server 'broken' could not start: .*no config/,
      );
    } finally {
      await pool.close();
    }
  });
});
