import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import { runCli } from '../helpers/cli.js';
import { spawnInPty } from '../helpers/pty.js';
import { tempDir } from '../helpers/core.js';
import { startFakeOpenAi } from '../providers/fakes/fake-openai-server.js';
import type { FakeOpenAi } from '../providers/fakes/fake-openai-server.js';
import { writeFile } from 'node:fs/promises';

describe('baton agents and baton dispatch', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let fake: FakeOpenAi;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    fake = await startFakeOpenAi((body) => ({
      text: `answer to: ${String(body.messages[body.messages.length - 1]?.content)}`,
      delayMs: 50,
    }));
    await writeAgent(path.join(dir, 'agents'), 'echo', { model: 'openai:gpt-x', description: 'Echoes the task.' });
    await writeFile(path.join(dir, 'agents', 'broken.md'), '---\nname: broken\ntools: [unclosed\n---\nx\n');
  });
  afterEach(async () => {
    await fake.close();
    await cleanup();
  });
  const env = () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl, HOME: dir });

  it('lists the agents with their model and readiness, and the problems of bad files', async () => {
    const out = await runCli(['agents', '--agents', path.join(dir, 'agents'), '--no-bundled-agents'], {
      cwd: dir,
      env: { HOME: dir },
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^ID\s+MODEL\s+READY/);
    expect(out.stdout).toMatch(/echo\s+openai:gpt-x\s+no: OPENAI_API_KEY is not set\s+restricted\s+Echoes the task\./);
    expect(out.stdout).toMatch(/Problems \(1\):\n\s+.*broken\.md: .*YAML/);

    const json = await runCli(['agents', '--agents', path.join(dir, 'agents'), '--no-bundled-agents', '--json'], {
      cwd: dir,
      env: env(),
    });
    const parsed = JSON.parse(json.stdout) as { agents: Array<{ id: string; ready: string }>; problems: unknown[] };
    expect(parsed.agents).toMatchObject([{ id: 'echo', ready: 'yes' }]);
    expect(parsed.problems).toHaveLength(1);
  });

  it('keeps the bundled agents below the user folders, a user file replacing one with the same id', async () => {
    await writeAgent(path.join(dir, 'agents'), 'summarizer', { model: 'openai:gpt-x', description: 'My summarizer.' });
    const json = await runCli(['agents', '--agents', path.join(dir, 'agents'), '--json'], { cwd: dir, env: env() });
    const parsed = JSON.parse(json.stdout) as {
      folders: string[];
      agents: Array<{ id: string; description: string; path: string }>;
      problems: unknown[];
    };
    expect(parsed.agents.map((a) => a.id)).toEqual([
      'coder',
      'echo',
      'planner',
      'researcher',
      'reviewer',
      'summarizer',
    ]);
    expect(parsed.agents.find((a) => a.id === 'summarizer')?.description).toBe('My summarizer.');
    expect(parsed.agents.find((a) => a.id === 'planner')?.path).toMatch(/agents[/\\]planner\.md$/);
    expect(parsed.folders).toHaveLength(2);
    expect(parsed.problems).toHaveLength(1); // broken.md only: the replaced bundled summarizer is no problem
  });

  it('cuts its table to the width of the terminal, and to 110 columns when piped', async () => {
    const long =
      'Reads every file of the repository, follows the imports, and writes a report of what it found. '.repeat(3);
    await writeAgent(path.join(dir, 'agents'), 'surveyor', { model: 'openai:gpt-x', description: long });
    const table = (text: string) =>
      text.split(/\r?\n/).slice(
        0,
        text.split(/\r?\n/).findIndex((l) => l === ''),
      );

    const run = spawnInPty(['agents', '--agents', path.join(dir, 'agents')], { cwd: dir, env: env(), columns: 60 });
    expect((await run.exited).code).toBe(0);
    const lines = table(run.screen());
    expect(lines[0]).toMatch(/^ID\s+MODEL\s+READY\s+TOOLS\s+DESCRIPTION$/);
    expect(lines.find((l) => l.startsWith('surveyor'))).toMatch(/Reads.*…$/);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(60);

    const piped = await runCli(['agents', '--agents', path.join(dir, 'agents')], { cwd: dir, env: env() });
    for (const line of table(piped.stdout)) expect(line.length, line).toBeLessThanOrEqual(110);
    expect(piped.stdout).toMatch(/surveyor .*Reads every.*…\n/);
  });

  it('dispatches from the shell: the answer on stdout, progress on stderr', async () => {
    const out = await runCli(
      [
        'dispatch',
        'echo',
        'say hi',
        '--context',
        'be brief',
        '--agents',
        path.join(dir, 'agents'),
        '--store',
        path.join(dir, 's.json'),
      ],
      { cwd: dir, env: env() },
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('answer to: say hi\n\nContext:\nbe brief\n');
    expect(out.stderr).toMatch(/echo: step 1\/8: thinking/);
    expect(out.stderr).toMatch(/echo: done \(task [0-9a-f-]{36}, session [0-9a-f-]{36}\)/);

    const tasks = await runCli(['tasks', '--store', path.join(dir, 's.json'), '--json'], { cwd: dir, env: env() });
    expect(JSON.parse(tasks.stdout)).toMatchObject({
      tasks: [{ kind: 'dispatch', status: 'completed', assignee_id: 'echo' }],
    });
  });

  it('exits 1 with the reason when the dispatch fails or the agent is unknown', async () => {
    const keyless = await runCli(
      ['dispatch', 'echo', 'x', '--agents', path.join(dir, 'agents'), '--store', path.join(dir, 's.json')],
      { cwd: dir, env: { HOME: dir } },
    );
    expect(keyless.code).toBe(1);
    expect(keyless.stdout).toBe('');
    expect(keyless.stderr).toMatch(/echo failed: .*OPENAI_API_KEY/);

    // The README's placeholder key: one clear line, no request (the SDK used to throw about a ByteString).
    const placeholder = await runCli(
      ['dispatch', 'echo', 'x', '--agents', path.join(dir, 'agents'), '--store', path.join(dir, 's.json')],
      { cwd: dir, env: { ...env(), OPENAI_API_KEY: 'sk-…' } },
    );
    expect(placeholder.code).toBe(1);
    expect(placeholder.stderr).toMatch(
      /^echo failed: openai: OPENAI_API_KEY is not a valid key \(character 4 is U\+2026; /m,
    );
    expect(placeholder.stderr).not.toMatch(/ByteString/);
    expect(fake.requests).toHaveLength(0);

    const unknown = await runCli(
      ['dispatch', 'ecko', 'x', '--agents', path.join(dir, 'agents'), '--store', path.join(dir, 's.json')],
      { cwd: dir, env: env() },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/baton: unknown agent 'ecko'; known: coder, echo, planner/);
  });
});
