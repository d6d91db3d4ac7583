/**
 * The command line's mistakes and help, on the built CLI: every mistake is one line on stderr naming what was
 * wrong, with exit 2 and nothing on stdout; help shows each command's own options (issue 12, items 4 and 5).
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';

describe('baton command line', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    tmp = await tempDir('baton-usage-');
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });
  const baton = (...args: string[]) => runCli(args, { cwd: tmp.dir, env: { HOME: tmp.dir } });

  it.each([
    [['agent'], "unknown command 'agent' (did you mean agents?)"],
    [['taks'], "unknown command 'taks' (did you mean tasks or task?)"],
    [
      ['frobnicate'],
      "unknown command 'frobnicate' (commands: serve, init, agents, dispatch, worker, tasks, task, board)",
    ],
    [['--max-depth', 'abc'], 'invalid --max-depth: expected a whole number ≥ 0 (got "abc")'],
    [['serve', '--max-concurrency', '0'], 'invalid --max-concurrency: expected a whole number ≥ 1 (got "0")'],
    [
      ['serve', '--max-tokens-per-root', '1e3'],
      'invalid --max-tokens-per-root: expected a whole number ≥ 1 (got "1e3")',
    ],
    [['--log-level', 'loud'], 'invalid --log-level: expected one of debug, info, warn, error, silent (got "loud")'],
    [['--http', 'nope'], 'invalid --http: expected [HOST:]PORT, e.g. 3000 or 127.0.0.1:3000 (got "nope")'],
    [['dispatch', '--foo'], "unknown option '--foo' (see 'baton dispatch --help')"],
    [['dispatch'], "missing required argument 'agent' (see 'baton dispatch --help')"],
    [['dispatch', 'coder', 'x', '--http', '3000'], "unknown option '--http' (see 'baton dispatch --help')"],
    [
      ['dispatch', 'coder', 'x', '--timeout', 'soon'],
      'invalid --timeout: expected a number of seconds > 0 (got "soon")',
    ],
    [['tasks', '--stat', 'done'], "unknown option '--stat' (did you mean --status?)"],
    [['task'], "missing required argument 'id' (see 'baton task --help')"],
    [['help', 'agnets'], "unknown command 'agnets' (did you mean agents?)"],
    [
      ['init', '--host', 'vim'],
      'invalid --host: expected one of claude-desktop, claude-code, vscode, cursor (got "vim")',
    ],
  ])('answers `baton %s` with one line and exit 2', async (args, line) => {
    const run = await baton(...args);
    expect(run.stderr).toBe(`baton: ${line}\n`);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(2);
  });

  it('answers a bad "prices" entry in the config file with one line naming it, and exit 2', async () => {
    const config = path.join(tmp.dir, 'prices.config.json');
    await writeFile(config, JSON.stringify({ prices: { 'anthropic:claude-x': { input: 3, output: 'free' } } }));
    const run = await baton('agents', '--config', config);
    expect(run.stderr).toBe(
      'baton: invalid "prices" in baton.config.json: "anthropic:claude-x".output: ' +
        'expected a price in USD per million tokens, a number ≥ 0 (got "free")\n',
    );
    expect(run.code).toBe(2);
  });

  it('shows the serve options and every command in baton --help', async () => {
    const run = await baton('--help');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const option of [
      '--stdio',
      '--http',
      '--tokens',
      '--tools',
      '--agents',
      '--model',
      '--store',
      '--max-depth',
    ]) {
      expect(run.stdout).toContain(option);
    }
    for (const command of ['serve', 'init', 'agents', 'dispatch', 'worker', 'tasks', 'task']) {
      expect(run.stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    }
    const serve = (await baton('serve', '--help')).stdout;
    expect(serve).toContain('--tokens <file>');
    expect(serve).toContain('--max-tokens-per-root <n>');
  });

  it('shows only the options that apply in baton dispatch --help and baton tasks --help', async () => {
    const dispatch = (await baton('dispatch', '--help')).stdout;
    for (const option of [
      '--context',
      '--timeout',
      '--agents',
      '--model',
      '--store',
      '--as',
      '--max-depth',
      '--max-tokens-per-root',
    ]) {
      expect(dispatch).toContain(option);
    }
    for (const option of ['--stdio', '--http', '--tokens', '--tools']) expect(dispatch).not.toContain(option);
    const tasks = (await baton('tasks', '--help')).stdout;
    expect(tasks).toContain('--status');
    expect(tasks).not.toContain('--model');
    expect(tasks).not.toContain('--max-depth');
  });

  it('answers baton help COMMAND as baton COMMAND --help', async () => {
    const [help, flag] = await Promise.all([baton('help', 'dispatch'), baton('dispatch', '--help')]);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toBe(flag.stdout);
    expect(help.stdout).toMatch(/^Usage: baton dispatch /);
  });

  it('prints the version', async () => {
    const run = await baton('--version');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
