/**
 * `baton dispatch` on a real terminal (a pty made by util-linux `script`): one redrawn progress line cut to the
 * terminal's width; plain lines on a terminal that reports 0 columns (where the spinner library it used before
 * looped forever writing escape codes, issue 12); and SIGTERM / SIGINT stop it at once, cancelling the task, with
 * the store flushed.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import type { SpawnedCli } from '../helpers/cli.js';
import { eventually, tempDir } from '../helpers/core.js';
import { spawnInPty } from '../helpers/pty.js';
import { startFakeOpenAi } from '../providers/fakes/fake-openai-server.js';
import type { FakeOpenAi } from '../providers/fakes/fake-openai-server.js';

/** The escape character that starts terminal control sequences. */
const ESC = '\u001b';

/** Kills a run that outlived its test (a hang is what some of these tests look for). */
async function within<T>(ms: number, run: SpawnedCli, what: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      what,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          run.process.kill('SIGKILL');
          reject(new Error(`no exit within ${ms} ms; the terminal showed:\n${run.stdout().slice(-2000)}`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('baton dispatch on a terminal', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let fake: FakeOpenAi;
  let agentsDir: string;
  let store: string;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('baton-pty-'));
    agentsDir = path.join(dir, 'agents');
    store = path.join(dir, 'store.json');
    await writeAgent(agentsDir, 'echo', { model: 'openai:gpt-x', description: 'Echoes the task.' });
  });
  afterEach(async () => {
    await fake?.close();
    await cleanup();
  });
  const env = () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl, HOME: dir });
  const dispatchArgs = ['dispatch', 'echo', 'say hi', '--agents', () => agentsDir, '--store', () => store];
  const args = () => dispatchArgs.map((a) => (typeof a === 'function' ? a() : a));

  it('finishes on a terminal that reports 0 columns, with plain progress lines', async () => {
    fake = await startFakeOpenAi(() => ({ text: 'hello there', delayMs: 700 }));
    const run = spawnInPty(args(), { cwd: dir, env: env(), columns: 0 });
    const exit = await within(20_000, run, run.exited);
    expect(exit.code).toBe(0);
    const screen = run.screen();
    expect(screen).toMatch(/echo: step 1\/8: thinking\r\n/);
    expect(screen).toMatch(/echo: done \(task [0-9a-f-]{36}, session [0-9a-f-]{36}\)\r\nhello there\r\n/);
    // No cursor movement at all: nothing to redraw without a width.
    expect(screen).not.toMatch(new RegExp(`${ESC}\\[\\d*[AK]`));
  });

  it('redraws one progress line cut to the width of a 40-column terminal', async () => {
    fake = await startFakeOpenAi(() => ({ text: 'hello there', delayMs: 700 }));
    const run = spawnInPty(args(), { cwd: dir, env: env(), columns: 40 });
    expect((await within(20_000, run, run.exited)).code).toBe(0);
    const frames = run
      .screen()
      .split('\r')
      .map((f) => f.split(`${ESC}[K`).join(''))
      .filter((f) => f.trim() !== '' && f !== '\n');
    const live = frames.filter((f) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] echo: /.test(f));
    expect(live.filter((f) => f.includes('step 1/8: thinking')).length).toBeGreaterThan(1);
    for (const frame of live) expect([...frame].length, frame).toBeLessThanOrEqual(39);
    // "echo: task <36-character id>" does not fit: it is cut, not wrapped.
    expect(live.some((f) => /^. echo: task [0-9a-f-]+…$/.test(f))).toBe(true);
    expect(run.screen()).toMatch(/✔ echo: done \(task [0-9a-f-]{36}/);
  });

  it('stops at once on SIGTERM, even at 0 columns: the task is cancelled and on disk, exit 143', async () => {
    fake = await startFakeOpenAi([{ hang: true }]);
    const run = spawnInPty(args(), { cwd: dir, env: env(), columns: 0 });
    await eventually(() => fake.requests.length === 1, 15_000, 'the model request');
    await eventually(() => /echo: step 1\/8: thinking/.test(run.screen()), 5000, 'the progress line');
    process.kill(await run.pid(), 'SIGTERM');
    const exit = await within(10_000, run, run.exited);
    expect(exit.code, run.screen()).toBe(143);
    const id = /echo: task ([0-9a-f-]{36})/.exec(run.screen())![1]!;
    expect(run.screen()).toContain(`echo: stopped by SIGTERM; task ${id} is cancelled`);
    await fake.waitFor(() => fake.aborted === 1);
    const task = await runCli(['task', id, '--store', store, '--json'], { cwd: dir, env: { HOME: dir } });
    expect(JSON.parse(task.stdout)).toMatchObject({ task: { id, status: 'cancelled' } });
  });

  it('stops at once on SIGINT without a terminal, exit 130', async () => {
    fake = await startFakeOpenAi([{ hang: true }]);
    const run = spawnCli(args(), { cwd: dir, env: env() });
    await eventually(() => fake.requests.length === 1, 15_000, 'the model request');
    run.process.kill('SIGINT');
    const exit = await within(10_000, run, run.exited);
    expect(exit.code).toBe(130);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toMatch(/echo: stopped by SIGINT; task [0-9a-f-]{36} is cancelled\n$/);
  });
});
