/**
 * The board's build (scripts/bundle-board.mjs, run by `npm run build` before the tests): one self-contained HTML
 * file per mode, nothing fetched at run time, hashes that match what is inline, the contract's CSP, shipped by
 * `npm pack`, and kept out of the CLI bundle (its cold start does not pay for the page).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist', 'board');
const read = (file: string) => readFileSync(path.join(dist, file), 'utf8');
const sha256 = (text: string) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;

interface Manifest {
  file: string;
  bytes: number;
  scriptHashes: string[];
  styleHashes: string[];
  csp?: string;
}

/** The text of every inline element `tag` of a document. */
const inline = (html: string, tag: 'script' | 'style') =>
  [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1]!);

describe('board build', () => {
  for (const [file, manifestFile] of [
    ['board.html', 'board.json'],
    ['app.html', 'app.json'],
  ] as const) {
    it(`${file} is one document with everything inline and nothing to fetch`, () => {
      const html = read(file);
      const manifest = JSON.parse(read(manifestFile)) as Manifest;
      expect(manifest.file).toBe(file);
      expect(manifest.bytes).toBe(Buffer.byteLength(html));
      expect(inline(html, 'script').map(sha256)).toEqual(manifest.scriptHashes);
      expect(inline(html, 'style').map(sha256)).toEqual(manifest.styleHashes);
      // No external script, style sheet, image, font or frame: only data: URLs.
      expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
      expect(html).not.toMatch(/<link[^>]*rel=["']?stylesheet/i);
      const markup = html.replace(/<script>[\s\S]*?<\/script>/g, '');
      const urls = [...markup.matchAll(/\s(?:src|href)=["']([^"']*)["']/gi)].map((match) => match[1]!);
      expect(urls.filter((url) => !url.startsWith('data:'))).toEqual([]);
      const css = inline(html, 'style').join('');
      expect(/@import|url\((?!["']?data:)/i.test(css)).toBe(false);
    });
  }

  it('board.json holds the contract’s CSP, and board.html states it too (without frame-ancestors, which a meta cannot)', () => {
    const manifest = JSON.parse(read('board.json')) as Manifest;
    const sources = (hashes: string[]) => hashes.map((hash) => `'${hash}'`).join(' ');
    expect(manifest.csp).toBe(
      `default-src 'none'; script-src ${sources(manifest.scriptHashes)}; style-src ${sources(manifest.styleHashes)}; ` +
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(read('board.html'))?.[1];
    expect(meta).toBe(manifest.csp!.replace("; frame-ancestors 'none'", ''));
    // Inside a host the host's frame policy rules: app.html states none of its own.
    expect(read('app.html')).not.toMatch(/Content-Security-Policy/);
  });

  it('is shipped by npm pack, and the CLI bundle holds none of the page', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('dist/board');
    const cli = path.join(root, 'dist', 'bin');
    for (const file of readdirSync(cli).filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(path.join(cli, file), 'utf8');
      expect(code, file).not.toContain('baton-board-token');
      // The page's own words (board_snapshot is the server's tool name now, so it is no sign of the page).
      expect(code, file).not.toContain('Loading tasks…');
      expect(code, file).not.toContain('Open the board');
    }
  });
});
