import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/tools/workspace/index.js';
import { tempDir } from '../../helpers/core.js';
import { runTool } from './run-tool.js';

const call = runTool;

describe('workspace tools', () => {
  let root: string;
  let ws: Workspace;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const tmp = await tempDir('baton-tools-');
    cleanup = tmp.cleanup;
    root = tmp.dir;
    await mkdir(path.join(root, 'src', 'lib'), { recursive: true });
    await mkdir(path.join(root, 'node_modules', 'dep'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n// TODO: tidy\nexport const b = 2;\n');
    await writeFile(path.join(root, 'src', 'lib', 'b.ts'), 'function todo() {}\n');
    await writeFile(path.join(root, 'src', 'c.py'), 'print("TODO")\n');
    await writeFile(path.join(root, 'node_modules', 'dep', 'x.ts'), '// TODO in a dependency\n');
    await writeFile(path.join(root, 'pic.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
    await writeFile(path.join(root, 'blob.bin'), Buffer.from([1, 0, 2]));
    ws = await Workspace.open([root]);
  });
  afterEach(() => cleanup());

  it('Read numbers the lines, pages with offset and limit, and says when more follow', async () => {
    await writeFile(path.join(root, 'long.txt'), Array.from({ length: 2500 }, (_v, i) => `line ${i + 1}`).join('\n'));
    const first = await call(ws, 'Read', { file_path: 'long.txt' });
    expect(first.text.split('\n')[0]).toBe('     1\tline 1');
    expect(first.text).toMatch(/\[showing lines 1-2000; more follow: read on with offset 2001\]$/);
    const page = await call(ws, 'Read', { file_path: path.join(root, 'long.txt'), offset: 2499, limit: 5 });
    expect(page.text).toBe('  2499\tline 2499\n  2500\tline 2500');
    expect((await call(ws, 'Read', { file_path: 'blob.bin' })).text).toMatch(/binary file of 3 bytes; not shown/);
  });

  it('Read returns a picture as an image', async () => {
    const out = await call(ws, 'Read', { file_path: 'pic.png' });
    expect(out.images).toEqual([
      { mimeType: 'image/png', data: Buffer.from('89504e470d0a1a0a', 'hex').toString('base64') },
    ]);
  });

  it('Glob matches relative to the folder and skips node_modules', async () => {
    const out = await call(ws, 'Glob', { pattern: '**/*.ts' });
    expect(
      out.text
        .split('\n')
        .map((f) => path.relative(ws.primary, f))
        .sort(),
    ).toEqual(['src/a.ts', 'src/lib/b.ts']);
    expect((await call(ws, 'Glob', { pattern: '*.py', path: 'src' })).text).toBe(path.join(ws.primary, 'src', 'c.py'));
  });

  it('Grep finds files, lines with context, counts, and takes type and glob filters', async () => {
    const files = await call(ws, 'Grep', { pattern: 'TODO', '-i': true });
    expect(
      files.text
        .split('\n')
        .map((f) => path.relative(ws.primary, f))
        .sort(),
    ).toEqual(['src/a.ts', 'src/c.py', 'src/lib/b.ts']);
    const content = await call(ws, 'Grep', { pattern: 'TODO', output_mode: 'content', type: 'ts', '-B': 1 });
    const a = path.join(ws.primary, 'src', 'a.ts');
    expect(content.text).toBe(`${a}-1-export const a = 1;\n${a}:2:// TODO: tidy`);
    const count = await call(ws, 'Grep', { pattern: 'export', output_mode: 'count', glob: '*.ts' });
    expect(count.text).toBe(`${a}:2`);
    const multi = await call(ws, 'Grep', { pattern: 'tidy.export', multiline: true, output_mode: 'content' });
    expect(multi.text).toBe(`${a}:2:// TODO: tidy`);
    await expect(call(ws, 'Grep', { pattern: '(a)\\1' })).rejects.toThrow(/invalid pattern .*RE2/);
  });

  it('Grep skips what .gitignore files ignore in a git work tree, the deeper rule winning, unless named as path', async () => {
    const write = async (file: string, text: string) => {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    };
    await write('.gitignore', '# build output\ndist/\n*.log\n!keep.log\n');
    await write('src/.gitignore', 'generated.ts\n');
    await write('src/lib/.gitignore', '!*.log\n');
    for (const file of ['dist/bundle.js', 'app.log', 'src/generated.ts', 'secret.txt'])
      await write(file, 'TODO, hidden\n');
    for (const file of ['keep.log', 'src/lib/x.log']) await write(file, 'TODO\n');
    const found = async (args: Record<string, unknown>) =>
      (await call(ws, 'Grep', { pattern: 'TODO', ...args })).text
        .split('\n')
        .map((f) => path.relative(ws.primary, f))
        .sort();
    // Not a git work tree: the ignore files do not count (as for ripgrep).
    expect(await found({})).toContain('dist/bundle.js');
    await write('.git/info/exclude', 'secret.txt\n');
    expect(await found({})).toEqual(['keep.log', 'src/a.ts', 'src/c.py', 'src/lib/x.log']);
    // Named, an ignored folder or file is searched.
    expect(await found({ path: 'dist' })).toEqual(['dist/bundle.js']);
    expect(await found({ path: 'app.log' })).toEqual(['app.log']);
    // Nothing found says what was not searched: dist, app.log, secret.txt and src/generated.ts.
    expect((await call(ws, 'Grep', { pattern: 'hidden' })).text).toBe(
      `No matches for hidden in ${ws.primary} (4 files and folders that .gitignore ignores were not searched).`,
    );
  });

  it('Grep matches a costly pattern off the event loop, in line and multiline mode, and refuses one too complex', async () => {
    // One long line: RE2 takes (program size x length) steps, about a second here, which on the event loop would
    // stall every other session.
    await writeFile(path.join(root, 'long.txt'), `start\n${'a'.repeat(1 << 16)}z\nend\n`);
    let longest = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      longest = Math.max(longest, Date.now() - last);
      last = Date.now();
    }, 5);
    try {
      const found = await call(ws, 'Grep', { pattern: '[\\s\\S]{1,450}z', path: 'long.txt', output_mode: 'count' });
      expect(found.text).toMatch(/long\.txt:1$/);
      const across = await call(ws, 'Grep', {
        pattern: '[\\s\\S]{1,450}z\\nend',
        path: 'long.txt',
        multiline: true,
        output_mode: 'count',
      });
      expect(across.text).toMatch(/long\.txt:1$/);
    } finally {
      clearInterval(timer);
      longest = Math.max(longest, Date.now() - last); // a stall at the very end would not reach the timer
    }
    // The loop kept turning while the file was matched (a generous bound: the machine may be loaded).
    expect(longest).toBeLessThan(400);
    await expect(call(ws, 'Grep', { pattern: '[\\s\\S]{1,1000}z' })).rejects.toThrow(/invalid pattern .*too complex/);
  });

  it('Grep takes linear time on a pattern that backtracking engines explode on', async () => {
    await writeFile(path.join(root, 'evil.txt'), `${'a'.repeat(5000)}!`);
    const out = await call(ws, 'Grep', { pattern: '^(a+)+$', path: 'evil.txt', output_mode: 'count' });
    expect(out.text).toMatch(/^No matches/);
  });

  it('LS lists folders first, then files with sizes', async () => {
    const out = await call(ws, 'LS', { path: 'src' });
    expect(out.text).toBe(`${path.join(ws.primary, 'src')}/\n  lib/\n  a.ts (54 bytes)\n  c.py (14 bytes)`);
  });

  it('Edit replaces a unique string, and refuses a missing or ambiguous one', async () => {
    const file = path.join(root, 'src', 'a.ts');
    await expect(call(ws, 'Edit', { file_path: file, old_string: 'export', new_string: 'x' })).rejects.toThrow(
      /occurs 2 times/,
    );
    await expect(call(ws, 'Edit', { file_path: file, old_string: 'nope', new_string: 'x' })).rejects.toThrow(
      /not found/,
    );
    const out = await call(ws, 'Edit', { file_path: file, old_string: 'TODO: tidy', new_string: 'done' });
    expect(out.text).toMatch(/1 replacement/);
    expect(await readFile(file, 'utf8')).toContain('// done');
    await call(ws, 'Edit', { file_path: file, old_string: 'export', new_string: 'let', replace_all: true });
    expect(await readFile(file, 'utf8')).not.toContain('export');
  });

  it('Bash reports the exit code, caps the output, and hides Baton keys from the command', async () => {
    const failed = await call(ws, 'Bash', { command: 'echo out; echo err >&2; exit 3' });
    expect(failed).toMatchObject({ isError: true, text: 'out\nerr\n[exit code 3]' });
    const big = await call(ws, 'Bash', { command: 'head -c 40000 /dev/zero | tr "\\0" x' });
    expect(big.text).toMatch(/^x{30000}\n\[output truncated: 10000 more characters\]$/);
    process.env.ANTHROPIC_API_KEY_FOR_TEST = 'visible';
    const env = await call(ws, 'Bash', { command: 'echo "key=${ANTHROPIC_API_KEY:-none}"' });
    expect(env.text).toBe('key=none');
  });

  it('Bash kills a command at its timeout', async () => {
    const started = Date.now();
    const out = await call(ws, 'Bash', { command: 'sleep 30', timeout: 300 });
    expect(out).toMatchObject({ isError: true, text: expect.stringMatching(/killed after the 300 ms timeout/) });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('Grep names an unknown type, "constructor" included, instead of reading Object.prototype', async () => {
    for (const type of ['nope', 'constructor', 'toString']) {
      await expect(call(ws, 'Grep', { pattern: 'TODO', type }), type).rejects.toThrow(`unknown type ${type}; known: `);
    }
  });
});

describe('Bash cancellation', () => {
  it('kills the command and the children it started when the run is cancelled', async () => {
    const { isRunning, waitUntilGone } = await import('../../helpers/processes.js');
    const { eventually } = await import('../../helpers/core.js');
    const tmp = await tempDir('baton-bash-');
    try {
      const ws = await Workspace.open([tmp.dir]);
      const controller = new AbortController();
      const running = call(
        ws,
        'Bash',
        { command: 'echo $$ > pids; sleep 30 & echo $! >> pids; sleep 30 & echo $! >> pids; wait' },
        controller.signal,
      );
      const pids = await eventually(async () => {
        const text = await readFile(path.join(tmp.dir, 'pids'), 'utf8').catch(() => '');
        const list = text.split('\n').filter(Boolean).map(Number);
        return list.length === 3 ? list : null;
      });
      expect(pids.every(isRunning)).toBe(true);
      const started = Date.now();
      controller.abort();
      await expect(running).rejects.toThrow(/cancelled and its processes killed/);
      await waitUntilGone(pids);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await tmp.cleanup();
    }
  });
});
