import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAgentFile } from '../../src/agents/definition.js';
import { AgentRegistry, bundledAgentsDir, resolveAgentFolders } from '../../src/agents/registry.js';
import type { Logger } from '../../src/log.js';

const repoAgents = fileURLToPath(new URL('../../agents/', import.meta.url));

const agentFile = (description: string, fields = '') => `---\ndescription: ${description}\n${fields}---\nPrompt.\n`;

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push({ level, message, fields });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'baton-registry-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
  return dir;
}

describe('AgentRegistry', () => {
  it('loads every definition in a folder, sorted by id', async () => {
    const dir = await folder('a', {
      'writer.md': agentFile('Writes.'),
      'analyst.md': agentFile('Analyses.'),
      'notes.txt': 'not an agent',
      'README.md': '# About these agents',
    });
    const registry = new AgentRegistry({ folders: [dir], explicit: true });
    await registry.load();
    expect(registry.list().map((agent) => agent.id)).toEqual(['analyst', 'writer']);
    expect(registry.get('writer')).toMatchObject({ description: 'Writes.', path: path.join(dir, 'writer.md') });
    expect(registry.get('nobody')).toBeUndefined();
    expect(registry.problems()).toEqual([]);
    expect(registry.folders()).toEqual([dir]);
  });

  it('skips bad files, records and logs their problems, and still loads the good ones', async () => {
    const dir = await folder('a', {
      'good.md': agentFile('Good.'),
      'bad-scope.md': agentFile('Bad.', 'tool_scope: everything\n'),
      'no-description.md': '---\nname: no-description\n---\nPrompt.',
      'broken.md': '---\ndescription: "unterminated\n---\n',
    });
    const { logger, lines } = recordingLogger();
    const registry = new AgentRegistry({ folders: [dir], explicit: true, logger });
    await registry.load();

    expect(registry.list().map((agent) => agent.id)).toEqual(['good']);
    const problems = registry.problems();
    expect(problems.map((problem) => path.basename(problem.path))).toEqual([
      'bad-scope.md',
      'broken.md',
      'no-description.md',
    ]);
    expect(problems[0]?.reason).toBe("tool_scope: expected one of isolated, restricted, shared; got 'everything'");
    expect(problems[1]?.reason).toMatch(/^frontmatter: invalid YAML at line \d+/);
    expect(problems[2]?.reason).toMatch(/^description: missing/);
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.fields)).toEqual(problems);
  });

  it('warns about an unchanged problem only once across reloads', async () => {
    const dir = await folder('a', { 'good.md': agentFile('Good.'), 'bad.md': 'no frontmatter' });
    const { logger, lines } = recordingLogger();
    const registry = new AgentRegistry({ folders: [dir], explicit: true, logger });
    await registry.load();
    await registry.load();
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(registry.problems()).toHaveLength(1);
  });

  it('lets the first folder win a duplicate id and says which file won', async () => {
    const first = await folder('first', { 'coder.md': agentFile('First coder.') });
    const second = await folder('second', {
      'coder.md': agentFile('Second coder.'),
      'other.md': agentFile('Also a coder.', 'name: coder\n'),
      'tester.md': agentFile('Tests.'),
    });
    const { logger, lines } = recordingLogger();
    const registry = new AgentRegistry({ folders: [first, second], explicit: true, logger });
    await registry.load();

    expect(registry.get('coder')?.description).toBe('First coder.');
    expect(registry.get('tester')).toBeDefined();
    const winner = path.join(first, 'coder.md');
    expect(registry.problems()).toEqual([
      {
        path: path.join(second, 'coder.md'),
        reason: `duplicate agent id 'coder': ignored, ${winner} defines it first and wins`,
      },
      {
        path: path.join(second, 'other.md'),
        reason: `duplicate agent id 'coder': ignored, ${winner} defines it first and wins`,
      },
    ]);
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(2);
  });

  it('treats a missing default folder as empty but reports a missing explicit one', async () => {
    const dir = await folder('a', { 'one.md': agentFile('One.') });
    const missing = path.join(root, 'missing');

    const defaults = new AgentRegistry({ folders: [missing, dir], explicit: false });
    await defaults.load();
    expect(defaults.list().map((agent) => agent.id)).toEqual(['one']);
    expect(defaults.problems()).toEqual([]);

    const explicit = new AgentRegistry({ folders: [missing, dir], explicit: true });
    await explicit.load();
    expect(explicit.list().map((agent) => agent.id)).toEqual(['one']);
    expect(explicit.problems()).toEqual([{ path: missing, reason: 'agents folder not found' }]);
  });

  it('loads the bundled folder below the others when no folder holds a valid agent', async () => {
    const empty = await folder('empty', { 'bad.md': 'no frontmatter here' });
    const bundled = await folder('bundled', { 'helper.md': agentFile('Bundled helper.') });
    const registry = new AgentRegistry({
      folders: [empty, path.join(root, 'missing')],
      explicit: false,
      bundledDir: bundled,
    });
    await registry.load();

    expect(registry.list().map((agent) => agent.id)).toEqual(['helper']);
    expect(registry.folders()).toEqual([empty, path.join(root, 'missing'), bundled]);
    expect(registry.problems().map((problem) => problem.path)).toEqual([path.join(empty, 'bad.md')]);
  });

  it('keeps the bundled agents as the lowest layer: a user file with the same id replaces one silently', async () => {
    const own = await folder('own', { 'mine.md': agentFile('Mine.'), 'helper.md': agentFile('My own helper.') });
    const bundled = await folder('bundled', {
      'helper.md': agentFile('Bundled helper.'),
      'summarizer.md': agentFile('Bundled summarizer.'),
    });
    for (const explicit of [false, true]) {
      const registry = new AgentRegistry({ folders: [own], explicit, bundledDir: bundled });
      await registry.load();
      expect(registry.list().map((agent) => agent.id)).toEqual(['helper', 'mine', 'summarizer']);
      expect(registry.get('helper')?.description).toBe('My own helper.');
      expect(registry.get('summarizer')?.path).toBe(path.join(bundled, 'summarizer.md'));
      expect(registry.problems()).toEqual([]);
      expect(registry.folders()).toEqual([own, bundled]);
      expect(registry.sourceFolders()).toEqual([own, bundled]);
    }
  });

  it('leaves the bundled agents out when no bundled folder is given (--no-bundled-agents)', async () => {
    const own = await folder('own', { 'mine.md': agentFile('Mine.') });
    const registry = new AgentRegistry({ folders: [own], explicit: true });
    await registry.load();
    expect(registry.list().map((agent) => agent.id)).toEqual(['mine']);
  });

  it('calls change listeners only when the agents or problems changed', async () => {
    const dir = await folder('a', { 'one.md': agentFile('One.') });
    const registry = new AgentRegistry({ folders: [dir], explicit: true });
    let calls = 0;
    const unsubscribe = registry.onChange(() => {
      calls += 1;
    });
    registry.onChange(() => {
      throw new Error('a failing listener');
    });

    await registry.load();
    expect(calls).toBe(1);
    await registry.load();
    expect(calls).toBe(1);
    await writeFile(path.join(dir, 'one.md'), agentFile('One, edited.'));
    await registry.load();
    expect(calls).toBe(2);
    await writeFile(path.join(dir, 'two.md'), 'broken');
    await registry.load();
    expect(calls).toBe(3);

    unsubscribe();
    await rm(path.join(dir, 'two.md'));
    await registry.load();
    expect(calls).toBe(3);
    expect(registry.problems()).toEqual([]);
  });
});

describe('resolveAgentFolders', () => {
  const base = { cwd: '/work/project', home: '/home/u', bundledDir: '/opt/baton/agents' };

  it('uses the --agents flags first, resolved against cwd, with the bundled folder below them', () => {
    expect(
      resolveAgentFolders({ ...base, flagDirs: ['mine', '/abs/agents', '~/more'], envPath: '/env/agents' }),
    ).toEqual({
      folders: [path.resolve('/work/project/mine'), path.resolve('/abs/agents'), path.resolve('/home/u/more')],
      explicit: true,
      bundledDir: path.resolve('/opt/baton/agents'),
    });
    expect(resolveAgentFolders({ ...base, bundledDir: null, flagDirs: ['mine'] })).toEqual({
      folders: [path.resolve('/work/project/mine')],
      explicit: true,
    });
  });

  it('uses BATON_AGENTS split by the path delimiter when no flag is given', () => {
    const envPath = ['/env/one', '', 'two'].join(path.delimiter);
    expect(resolveAgentFolders({ ...base, flagDirs: [], envPath })).toEqual({
      folders: [path.resolve('/env/one'), path.resolve('/work/project/two')],
      explicit: true,
      bundledDir: path.resolve('/opt/baton/agents'),
    });
  });

  it('defaults to the four standard folders with the bundled folder below them', () => {
    expect(resolveAgentFolders({ ...base, envPath: '  ' })).toEqual({
      folders: [
        path.resolve('/work/project/agents'),
        path.resolve('/work/project/.claude/agents'),
        path.resolve('/home/u/.baton/agents'),
        path.resolve('/home/u/.claude/agents'),
      ],
      explicit: false,
      bundledDir: path.resolve('/opt/baton/agents'),
    });
  });

  it('lists a folder once when cwd is the home directory', () => {
    const { folders } = resolveAgentFolders({ ...base, cwd: '/home/u' });
    expect(folders).toEqual([
      path.resolve('/home/u/agents'),
      path.resolve('/home/u/.claude/agents'),
      path.resolve('/home/u/.baton/agents'),
    ]);
  });
});

describe('bundled agents', () => {
  it('are found by bundledAgentsDir', () => {
    expect(path.resolve(bundledAgentsDir())).toBe(path.resolve(repoAgents));
  });

  it('all parse with no problems and use the server default model', async () => {
    const registry = new AgentRegistry({ folders: [bundledAgentsDir()], explicit: true });
    await registry.load();
    expect(registry.problems()).toEqual([]);
    expect(registry.list().map((agent) => agent.id)).toEqual([
      'coder',
      'planner',
      'researcher',
      'reviewer',
      'summarizer',
    ]);
    for (const agent of registry.list()) {
      expect(agent.model).toBeUndefined();
      expect(agent.description.length).toBeGreaterThan(40);
      expect(agent.system_prompt.length).toBeGreaterThan(400);
    }
    expect(registry.get('researcher')?.tool_scope).toBe('restricted');
    expect(registry.get('planner')?.tool_scope).toBe('shared');
    expect(registry.get('reviewer')?.system_prompt).toMatch(/Approve/);
  });

  it('each file parses on its own with the id matching its file name', async () => {
    const files = (await readdir(repoAgents)).filter((name) => name.endsWith('.md'));
    expect(files).toHaveLength(5);
    for (const name of files) {
      const result = parseAgentFile(await readFile(path.join(repoAgents, name), 'utf8'), name);
      expect(result.ok && result.agent.id).toBe(name.replace(/\.md$/, ''));
    }
  });
});
