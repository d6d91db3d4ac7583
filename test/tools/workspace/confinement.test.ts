import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/tools/workspace/index.js';
import { tempDir } from '../../helpers/core.js';
import { runTool } from './run-tool.js';

/** Runs a workspace tool; a thrown error is how the loop shows a failure to the model. */
async function run(ws: Workspace, name: string, args: Record<string, unknown>) {
  try {
    const output = await runTool(ws, name, args);
    return { ok: !output.isError, text: output.text };
  } catch (error) {
    return { ok: false, text: (error as Error).message };
  }
}

describe('workspace confinement', () => {
  let root: string;
  let outside: string;
  let ws: Workspace;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const tmp = await tempDir('baton-ws-');
    cleanup = tmp.cleanup;
    root = path.join(tmp.dir, 'project');
    outside = path.join(tmp.dir, 'secret');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(root, 'README.md'), '# Project\n');
    await writeFile(path.join(outside, 'key.txt'), 'TOP SECRET\n');
    await symlink(outside, path.join(root, 'escape')); // a folder link leading out
    await symlink(path.join(outside, 'key.txt'), path.join(root, 'src', 'key-link.txt')); // a file link leading out
    await symlink(path.join(outside, 'new.txt'), path.join(root, 'dangling.txt')); // points at nothing yet
    ws = await Workspace.open([root]);
  });
  afterEach(() => cleanup());

  // For each tool: the arguments that aim at `target` (a path given as the model would give it).
  const aim: Record<string, (target: string) => Record<string, unknown>> = {
    Read: (target) => ({ file_path: target }),
    Glob: (target) => ({ pattern: '**/*', path: target }),
    Grep: (target) => ({ pattern: 'SECRET', path: target, output_mode: 'content' }),
    LS: (target) => ({ path: target }),
    Write: (target) => ({ file_path: target, content: 'pwned' }),
    Edit: (target) => ({ file_path: target, old_string: 'TOP', new_string: 'pwned' }),
  };
  /** Ways out, as a model would write them: to a file for the file tools, to a folder for the others. */
  const escapes = (name: string): Array<[string, string, RegExp]> =>
    ['Glob', 'LS'].includes(name)
      ? [
          ['../secret', 'a relative path with ..', /outside the workspace/],
          [outside, 'an absolute path elsewhere', /outside the workspace/],
          ['src/../../secret', '.. after a folder', /outside the workspace/],
          ['escape', 'a symlinked folder that leads out', /symbolic link/],
        ]
      : [
          ['../secret/key.txt', 'a relative path with ..', /outside the workspace/],
          [path.join(outside, 'key.txt'), 'an absolute path elsewhere', /outside the workspace/],
          ['escape/key.txt', 'a symlinked folder that leads out', /symbolic link/],
          ['src/key-link.txt', 'a symlinked file that leads out', /symbolic link/],
        ];

  for (const name of Object.keys(aim)) {
    it(`${name} refuses every way out of the roots and changes nothing outside`, async () => {
      for (const [target, how, reason] of escapes(name)) {
        const out = await run(ws, name, aim[name]!(target));
        expect(out.ok, `${name} with ${how} (${target}) should fail: ${out.text}`).toBe(false);
        expect(out.text, `${name} with ${how}`).toMatch(reason);
        expect(out.text).not.toContain('TOP SECRET');
      }
      expect(await readFile(path.join(outside, 'key.txt'), 'utf8')).toBe('TOP SECRET\n');
    });
  }

  it('Write refuses to follow a dangling symlink out, and creates new files inside', async () => {
    const dangling = await run(ws, 'Write', { file_path: 'dangling.txt', content: 'x' });
    expect(dangling).toMatchObject({ ok: false, text: expect.stringMatching(/symbolic link/) });
    const created = await run(ws, 'Write', { file_path: 'docs/new/guide.md', content: 'hello' });
    expect(created).toMatchObject({ ok: true, text: expect.stringMatching(/^Created .*guide\.md \(5 bytes\)/) });
    expect(await readFile(path.join(root, 'docs', 'new', 'guide.md'), 'utf8')).toBe('hello');
    const out = await run(ws, 'Write', { file_path: 'escape/new.txt', content: 'x' });
    expect(out).toMatchObject({ ok: false, text: expect.stringMatching(/symbolic link/) });
  });

  it('Bash runs in the first root, so relative paths are the workspace', async () => {
    const out = await run(ws, 'Bash', { command: 'pwd && cat README.md' });
    expect(out.ok).toBe(true);
    expect(out.text).toContain(ws.primary);
    expect(out.text).toContain('# Project');
  });

  it('Glob and Grep do not list or search files behind links that lead out', async () => {
    const glob = await run(ws, 'Glob', { pattern: '**/*.txt' });
    expect(glob.text).not.toMatch(/key/);
    const grep = await run(ws, 'Grep', { pattern: 'SECRET', output_mode: 'content' });
    expect(grep.text).toMatch(/^No matches/);
  });

  it('refuses a root that does not exist, naming it', async () => {
    await expect(Workspace.open([path.join(root, 'nope')])).rejects.toThrow(/workspace root .*nope cannot be used/);
  });
});
