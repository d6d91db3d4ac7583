/**
 * Agent folders holding what a careless user or an attacker might put there (issue 7, items 2, 3): FIFOs, links
 * to them, dangling links, huge files and frontmatters. None may block start-up or hot reload, or be read whole.
 * (How large frontmatters are parsed: definition-reader.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAgentFile } from '../../src/agents/definition.js';
import { AgentRegistry } from '../../src/agents/registry.js';
import { watchAgents } from '../../src/agents/watcher.js';
import { agentFile, manyKeys } from '../helpers/agents.js';
import { eventually } from '../helpers/core.js';

let root: string;
let dir: string;
const fifos: string[] = [];
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'baton-reader-'));
  dir = path.join(root, 'agents');
  await mkdir(dir);
  await writeFile(path.join(dir, 'good.md'), agentFile('A good agent.'));
});
afterEach(async () => {
  // Should a read be stuck waiting for a writer (the bug), open each FIFO for writing once to release it.
  for (const fifo of fifos.splice(0)) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader waiting
    }
  }
  await rm(root, { recursive: true, force: true });
});

function mkfifo(file: string): string {
  execFileSync('mkfifo', [file]);
  fifos.push(file);
  return file;
}

const problemsOf = (registry: AgentRegistry) => Object.fromEntries(registry.problems().map((p) => [p.path, p.reason]));

describe('agent definition files that are not what they seem', () => {
  it('reports a FIFO, a link to a FIFO, a dangling link, a link loop and a folder, and still starts', async () => {
    const pipe = mkfifo(path.join(root, 'pipe'));
    mkfifo(path.join(dir, 'fifo.md'));
    await symlink(pipe, path.join(dir, 'to-fifo.md'));
    await symlink(path.join(root, 'missing.md'), path.join(dir, 'dangling.md'));
    await symlink(path.join(dir, 'loop-b.md'), path.join(dir, 'loop-a.md'));
    await symlink(path.join(dir, 'loop-a.md'), path.join(dir, 'loop-b.md'));
    await mkdir(path.join(dir, 'folder.md'));

    const registry = new AgentRegistry({ folders: [dir], explicit: true });
    await registry.load(); // used to wait forever for someone to write to the pipe
    expect(registry.list().map((a) => a.id)).toEqual(['good']);
    expect(problemsOf(registry)).toEqual({
      [path.join(dir, 'fifo.md')]: 'not a regular file (a FIFO); only regular files are read',
      [path.join(dir, 'to-fifo.md')]: 'not a regular file (a FIFO); only regular files are read',
      [path.join(dir, 'dangling.md')]: `a symbolic link to ${path.join(root, 'missing.md')}, which does not exist`,
      [path.join(dir, 'loop-a.md')]: 'a symbolic link that loops',
      [path.join(dir, 'loop-b.md')]: 'a symbolic link that loops',
      [path.join(dir, 'folder.md')]: 'not a regular file (a directory); only regular files are read',
    });
  });

  it('keeps hot reload working after a link to a FIFO is added', async () => {
    const registry = new AgentRegistry({ folders: [dir], explicit: true });
    await registry.load();
    const watcher = await watchAgents(registry, { debounceMs: 20 });
    try {
      await symlink(mkfifo(path.join(root, 'pipe')), path.join(dir, 'trap.md'));
      await eventually(() => registry.problems().length === 1, 5000, 'the FIFO reported');
      await writeFile(path.join(dir, 'later.md'), agentFile('Added after the FIFO.'));
      await eventually(() => registry.get('later'), 5000, 'the next file loaded');
    } finally {
      await watcher.close();
    }
  });

  it('refuses a file over 256 KiB without reading it whole, a frontmatter over 64 KiB or 100 fields', async () => {
    await writeFile(path.join(dir, 'huge.md'), agentFile('Huge.') + 'x'.repeat(300 * 1024));
    await writeFile(path.join(dir, 'wide.md'), agentFile('Wide.', manyKeys(70 * 1024)));
    await writeFile(path.join(dir, 'fields.md'), agentFile('Fields.', manyKeys(1200, true)));
    const registry = new AgentRegistry({ folders: [dir], explicit: true });
    await registry.load();
    expect(registry.list().map((a) => a.id)).toEqual(['good']);
    const huge = 300 * 1024 + agentFile('Huge.').length;
    expect(problemsOf(registry)).toEqual({
      [path.join(dir, 'huge.md')]: `the file is ${huge} bytes; the limit is 262144 (256 KiB)`,
      [path.join(dir, 'wide.md')]: expect.stringMatching(/^frontmatter: \d+ bytes; the limit is 65536 \(64 KiB\)$/),
      [path.join(dir, 'fields.md')]: 'frontmatter: 165 fields; the limit is 100',
    });
  });

  it('keeps the event loop turning while a 60 KiB frontmatter of keys loads', async () => {
    const text = agentFile('Sixty KiB of keys.', manyKeys(60 * 1024));
    const file = path.join(dir, 'wide.md');
    await writeFile(file, text);
    // How long this file blocks the event loop when parsed on it, measured here, on this machine, now (the best
    // of three, so the parser's code is warm as it would be for the registry).
    let onLoop = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      expect(parseAgentFile(text, file).ok).toBe(true);
      onLoop = Math.min(onLoop, performance.now() - started);
    }

    let longestPause = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestPause = Math.max(longestPause, now - last);
      last = now;
    }, 1);
    const registry = new AgentRegistry({ folders: [dir], explicit: true });
    try {
      await registry.load();
      // One more tick, so that a pause that ends with the load is measured too.
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      clearInterval(ticker);
    }
    expect(registry.get('wide')?.description).toBe('Sixty KiB of keys.');
    expect(longestPause).toBeLessThan(onLoop / 3);
  });
});
