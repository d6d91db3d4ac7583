import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentRegistry } from '../../src/agents/registry.js';
import { watchAgents, type AgentWatcher } from '../../src/agents/watcher.js';

const agentFile = (description: string) => `---\ndescription: ${description}\n---\nPrompt.\n`;

/** Resolves when `check` passes, or rejects after `ms`. */
async function eventually(check: () => boolean, ms = 1500): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let root: string;
let dir: string;
let registry: AgentRegistry;
let watcher: AgentWatcher | undefined;
let changes: number;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'baton-watcher-'));
  dir = path.join(root, 'agents');
  await mkdir(dir);
  await writeFile(path.join(dir, 'first.md'), agentFile('First.'));
  registry = new AgentRegistry({ folders: [dir, path.join(root, 'not-yet')], explicit: false });
  await registry.load();
  changes = 0;
  watcher = await watchAgents(registry, {
    onChange: () => {
      changes += 1;
    },
  });
});

afterEach(async () => {
  await watcher?.close();
  await rm(root, { recursive: true, force: true });
});

describe('watchAgents', () => {
  it('picks up an added file within about a second', async () => {
    await writeFile(path.join(dir, 'second.md'), agentFile('Second.'));
    await eventually(() => changes > 0);
    expect(registry.get('second')?.description).toBe('Second.');
    expect(registry.list().map((agent) => agent.id)).toEqual(['first', 'second']);
  });

  it('picks up an edited file', async () => {
    await writeFile(path.join(dir, 'first.md'), agentFile('First, edited.'));
    await eventually(() => changes > 0);
    expect(registry.get('first')?.description).toBe('First, edited.');
  });

  it('drops a removed file', async () => {
    await writeFile(path.join(dir, 'second.md'), agentFile('Second.'));
    await eventually(() => registry.get('second') !== undefined);
    const before = changes;
    await rm(path.join(dir, 'second.md'));
    await eventually(() => changes > before);
    expect(registry.get('second')).toBeUndefined();
    expect(registry.list().map((agent) => agent.id)).toEqual(['first']);
  });

  it('shows a broken file in the problems and keeps the good agents', async () => {
    await writeFile(path.join(dir, 'broken.md'), '---\ndescription: [unclosed\n---\n');
    await eventually(() => changes > 0);
    expect(registry.problems()).toEqual([
      { path: path.join(dir, 'broken.md'), reason: expect.stringMatching(/^frontmatter: invalid YAML at line 2/) },
    ]);
    expect(registry.list().map((agent) => agent.id)).toEqual(['first']);
  });

  it('ignores files that are not definitions', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'hello');
    await writeFile(path.join(dir, 'README.md'), '# readme');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(changes).toBe(0);
  });

  it('does not call onChange when a file is rewritten with the same content', async () => {
    await writeFile(path.join(dir, 'first.md'), agentFile('First.'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(changes).toBe(0);
  });

  it('stops reloading once closed', async () => {
    await watcher?.close();
    watcher = undefined;
    await writeFile(path.join(dir, 'late.md'), agentFile('Late.'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(registry.get('late')).toBeUndefined();
    expect(changes).toBe(0);
  });
});
