/**
 * `baton tasks` and `baton task ID` on the built CLI, reading a store file written through the real task tools.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { spawnInPty } from '../helpers/pty.js';
import type { CliResult } from '../helpers/cli.js';
import { writeAgent } from '../helpers/agents.js';
import { startCore, tempDir } from '../helpers/core.js';
import { startFakeOpenAi } from '../providers/fakes/fake-openai-server.js';

interface Summary {
  id: string;
  status: string;
  delegated_by: string;
  assignee_id: string;
  description: string;
}

describe('baton tasks / baton task', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let store: string;
  /** Created oldest first: summarised (alice → bob, completed), translated (alice → carol, in progress),
   * checked (carol → dave, failed). */
  const ids = { summarised: '', translated: '', checked: '' };

  const baton = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: tmp.dir });
  const listJson = async (...args: string[]) => {
    const run = await baton('tasks', '--store', store, '--json', ...args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return (JSON.parse(run.stdout) as { tasks: Summary[] }).tasks;
  };

  beforeAll(async () => {
    tmp = await tempDir('baton-cli-tasks-');
    store = path.join(tmp.dir, 'store.json');
    const core = await startCore({ storePath: store });
    try {
      const alice = await core.connect('alice');
      const bob = await core.connect('bob');
      const carol = await core.connect('carol');
      const dave = await core.connect('dave');
      ids.summarised = (
        await alice.ok<{ task_id: string }>('delegate_task', {
          assignee_id: 'bob',
          description: 'Summarise the quarterly report',
        })
      ).task_id;
      await bob.ok('report_task_progress', { task_id: ids.summarised, message: 'read page 1' });
      await bob.ok('complete_task', { task_id: ids.summarised, result: 'Revenue is up 12%.' });
      ids.translated = (
        await alice.ok<{ task_id: string }>('delegate_task', {
          assignee_id: 'carol',
          description: 'Translate the memo into French',
          payload: { lang: 'fr' },
        })
      ).task_id;
      ids.checked = (
        await carol.ok<{ task_id: string }>('delegate_task', { assignee_id: 'dave', description: 'Check the figures' })
      ).task_id;
      await dave.ok('fail_task', { task_id: ids.checked, error: 'the spreadsheet is missing' });
    } finally {
      await core.close();
    }
  });

  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('prints a table of every task, newest first', async () => {
    const run = await baton('tasks', '--store', store);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+FROM\s+TO\s+UPDATED\s+TOKENS\s+COST\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    expect(lines.slice(2)).toHaveLength(3);
    expect(lines[2]).toMatch(
      new RegExp(`^${ids.checked}\\s+failed\\s+carol\\s+dave\\s+\\S+\\s+-\\s+-\\s+Check the figures$`),
    );
    expect(lines[3]).toMatch(new RegExp(`^${ids.translated}\\s+in_progress\\s+alice\\s+carol\\s.*Translate the memo`));
    expect(lines[4]).toMatch(new RegExp(`^${ids.summarised}\\s+completed\\s+alice\\s+bob\\s.*Summarise the quarterly`));
  });

  it('cuts the table to a narrow terminal, the descriptions giving way and the ids kept whole', async () => {
    // 120 columns: the ids (36), the TOKENS and COST columns and the headers need 111 before any description.
    const run = spawnInPty(['tasks', '--store', store], { cwd: tmp.dir, columns: 120 });
    expect((await run.exited).code).toBe(0);
    const lines = run.screen().trimEnd().split('\r\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(120);
    expect(lines[3]).toMatch(new RegExp(`^${ids.translated}\\s+in_progress\\s+alice\\s+carol\\s.*Translate.*…$`));
  });

  it('prints parseable JSON with --json', async () => {
    const tasks = await listJson();
    expect(tasks.map((t) => t.id)).toEqual([ids.checked, ids.translated, ids.summarised]);
    expect(tasks[2]).toMatchObject({
      status: 'completed',
      delegated_by: 'alice',
      assignee_id: 'bob',
      description: 'Summarise the quarterly report',
    });
  });

  it('keeps only the given statuses with --status', async () => {
    const [completed, ended, cancelled] = await Promise.all([
      listJson('--status', 'completed'),
      listJson('--status', 'completed,failed'),
      listJson('--status', 'cancelled'),
    ]);
    expect(completed.map((t) => t.id)).toEqual([ids.summarised]);
    expect(ended.map((t) => t.id)).toEqual([ids.checked, ids.summarised]);
    expect(cancelled).toEqual([]);
  });

  it('keeps only the tasks an agent delegated or was assigned with --as', async () => {
    const [bob, carol, aliceOpen] = await Promise.all([
      listJson('--as', 'bob'),
      listJson('--as', 'carol'),
      listJson('--as', 'alice', '--status', 'in_progress'),
    ]);
    expect(bob.map((t) => t.id)).toEqual([ids.summarised]);
    expect(carol.map((t) => t.id)).toEqual([ids.checked, ids.translated]);
    expect(aliceOpen.map((t) => t.id)).toEqual([ids.translated]);
  });

  it('says "No tasks." when nothing matches', async () => {
    const run = await baton('tasks', '--store', store, '--as', 'nobody');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('No tasks.\n');
  });

  it('refuses a bad --status value with one clear line naming the valid ones', async () => {
    const run = await baton('tasks', '--store', store, '--status', 'completed,done');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^baton: invalid --status: "done"; expected one of pending, in_progress, completed/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('prints one task whole as JSON with task ID --json', async () => {
    const run = await baton('task', ids.summarised, '--store', store, '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const { task, children } = JSON.parse(run.stdout) as { task: Record<string, unknown>; children: string[] };
    expect(task).toMatchObject({
      id: ids.summarised,
      kind: 'delegation',
      status: 'completed',
      delegated_by: 'alice',
      assignee_id: 'bob',
      description: 'Summarise the quarterly report',
      result: 'Revenue is up 12%.',
    });
    expect(task.progress).toMatchObject([{ message: 'read page 1' }]);
    expect(children).toEqual([]);
  });

  it('prints one task for people with task ID', async () => {
    const [done, open, failed] = await Promise.all([
      baton('task', ids.summarised, '--store', store),
      baton('task', ids.translated, '--store', store),
      baton('task', ids.checked, '--store', store),
    ]);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`Task ${ids.summarised} (delegation)`);
    // The status once: its message says nothing more ("completed — completed" before).
    expect(done.stdout).toMatch(/^ {2}status: +completed$/m);
    expect(done.stdout).toMatch(/from → to: +alice → bob/);
    expect(done.stdout).toMatch(/Description:\n {2}Summarise the quarterly report/);
    expect(done.stdout).toMatch(/Progress:\n {2}\S+ {2}read page 1/);
    expect(done.stdout).toMatch(/Result:\n {2}Revenue is up 12%\./);

    expect(open.stdout).toMatch(/Payload:\n {2}\{\n {4}"lang": "fr"\n {2}\}/);
    expect(open.stdout).not.toContain('Result:');

    expect(failed.stdout).toMatch(/status: +failed/);
    expect(failed.stdout).toMatch(/Error:\n {2}the spreadsheet is missing/);
  });

  it('finds a task by an unambiguous prefix of its id', async () => {
    const [byPrefix, json] = await Promise.all([
      baton('task', ids.summarised.slice(0, 8), '--store', store),
      baton('task', ids.translated.slice(0, 13), '--store', store, '--json'),
    ]);
    expect(byPrefix.code).toBe(0);
    expect(byPrefix.stdout).toContain(`Task ${ids.summarised} (delegation)`);
    expect((JSON.parse(json.stdout) as { task: { id: string } }).task.id).toBe(ids.translated);
  });

  it('exits 1 with "task not found" on stderr for an unknown id', async () => {
    const runs = await Promise.all(
      [[], ['--json']].map((json) => baton('task', 'no-such-task', '--store', store, ...json)),
    );
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe('baton: task not found: no-such-task\n');
    }
  });
});

describe('baton task ID-PREFIX', () => {
  it('refuses an ambiguous prefix in one line listing the tasks it matches', async () => {
    const tmp = await tempDir('baton-cli-prefix-');
    try {
      const store = path.join(tmp.dir, 'store.json');
      const created: string[] = [];
      const core = await startCore({ storePath: store });
      try {
        const alice = await core.connect('alice');
        // 17 random ids: two of them share their first hex digit.
        for (let i = 0; i < 17; i++) {
          const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
            assignee_id: 'bob',
            description: `task ${i}`,
          });
          created.push(task_id);
        }
      } finally {
        await core.close();
      }
      const digit = [...'0123456789abcdef'].find((d) => created.filter((id) => id.startsWith(d)).length > 1)!;
      const matching = created.filter((id) => id.startsWith(digit));
      const run = await runCli(['task', digit, '--store', store], { cwd: tmp.dir });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      const line = run.stderr.trimEnd();
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toMatch(new RegExp(`^baton: task id prefix '${digit}' matches ${matching.length} tasks: `));
      for (const id of matching.slice(0, 5)) expect(line).toContain(id);
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('baton tasks / baton task: tokens and cost', () => {
  it('shows what a task and its subtree spent, at the configured prices', async () => {
    const tmp = await tempDir('baton-cli-usage-');
    const fake = await startFakeOpenAi(() => ({ usage: { input: 1200, output: 34, cacheRead: 200 }, text: 'done' }));
    try {
      const store = path.join(tmp.dir, 'store.json');
      const agents = path.join(tmp.dir, 'agents');
      await writeAgent(agents, 'writer', { model: 'openai:gpt-test' });
      const core = await startCore({
        storePath: store,
        agents: [agents],
        env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl },
        prices: { 'openai:gpt-test': { input: 1, output: 10, cacheRead: 0.5 } },
      });
      let id: string;
      try {
        const alice = await core.connect('alice');
        id = (
          await alice.ok<{ task_id: string }>('subagent_dispatch', {
            agent_id: 'writer',
            task: 'Write it.',
            budget_tokens: 5000,
          })
        ).task_id;
        await alice.ok('delegate_task', { assignee_id: 'bob', description: 'No model here' });
      } finally {
        await core.close();
      }
      const list = await runCli(['tasks', '--store', store], { cwd: tmp.dir });
      expect(list.stderr).toBe('');
      const lines = list.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+STATUS\s+FROM\s+TO\s+UPDATED\s+TOKENS\s+COST\s+DESCRIPTION$/);
      // (1000 × 1 + 200 × 0.5 + 34 × 10) / 1e6 = $0.00144; a task without model calls shows "-".
      expect(lines[2]).toMatch(/\s+bob\s+\S+\s+-\s+-\s+No model here$/);
      expect(lines[3]).toMatch(
        new RegExp(`^${id}\\s+completed\\s+alice\\s+writer\\s+\\S+\\s+1,234\\s+\\$0\\.00144\\s+Write it\\.$`),
      );

      const json = await runCli(['tasks', '--store', store, '--json'], { cwd: tmp.dir });
      const listed = (
        JSON.parse(json.stdout) as { tasks: Array<{ id: string; usage_total: { total_tokens: number } }> }
      ).tasks;
      expect(listed.find((t) => t.id === id)?.usage_total.total_tokens).toBe(1234);

      const shown = await runCli(['task', id, '--store', store], { cwd: tmp.dir });
      expect(shown.stdout).toMatch(
        /^ {2}usage: +1,234 tokens \(1,200 in, 200 read from the cache; 34 out\) in 1 call, cost \$0\.00144$/m,
      );
      expect(shown.stdout).toMatch(/^ {2}subtree: +1,234 tokens .* cost \$0\.00144$/m);
      expect(shown.stdout).toMatch(/^ {4}attempt 1 on openai:gpt-test: 1,234 tokens/m);
      expect(shown.stdout).toMatch(/^ {2}budget: +5,000 tokens for the subtree$/m);
    } finally {
      await fake.close();
      await tmp.cleanup();
    }
  });
});
