/**
 * Builds dist/board: the task board page (src/board/ui) as one self-contained HTML document per mode, its script
 * and styles inline, nothing fetched at run time (SPEC §12):
 *   board.html  for `baton serve --http` and `baton board` (HttpSource)
 *   app.html    the MCP App resource `ui://baton/board.html` (AppSource, through the host's bridge)
 * Next to each, a JSON manifest with the sha256 hashes of its inline script and style and, for board.html, the
 * whole Content-Security-Policy header the server sends with it, so the server needs no nonce and no unsafe-inline.
 * The CLI never imports any of this: the server reads the page from disk when it serves it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ui = path.join(root, 'src', 'board', 'ui');
const out = path.join(root, 'dist', 'board');

/** The pages: entry point, file, and whether the page carries its own CSP (the App's host owns its frame's). */
export const PAGES = [
  { mode: 'http', entry: 'http-main.tsx', file: 'board.html', manifest: 'board.json' },
  { mode: 'app', entry: 'app-main.tsx', file: 'app.html', manifest: 'app.json' },
];

/** The board contract's CSP for board.html, with the page's own hashes (frame-ancestors: a header only). */
export function boardCsp({ scriptHashes, styleHashes }, { header = true } = {}) {
  const sources = (hashes) => hashes.map((hash) => `'${hash}'`).join(' ');
  const directives = [
    "default-src 'none'",
    `script-src ${sources(scriptHashes)}`,
    `style-src ${sources(styleHashes)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  // A <meta> policy cannot say frame-ancestors (the browser ignores it there, with a console error).
  return (header ? [...directives, "frame-ancestors 'none'"] : directives).join('; ');
}

const sha256 = (text) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;

/**
 * zod (pulled in by the MCP SDK under ext-apps' App) re-exports every locale through its namespace object, and a
 * namespace the code touches as a whole cannot be tree-shaken: 265 KB of error messages in 40 languages the page
 * never shows. Only English is kept; `z.config(z.locales.xx())` is never called by the page or its libraries.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/** Refuses output that would end its own inline element early (the page would break, or worse). */
function assertInlineSafe(text, closing, what) {
  if (text.toLowerCase().includes(closing)) throw new Error(`board: the ${what} contains "${closing}"`);
}

/** Builds both pages into dist/board; returns what it wrote, for the tests and the build log. */
export async function bundleBoard() {
  const esbuild = createRequire(import.meta.url)('esbuild');
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const template = readFileSync(path.join(ui, 'page.html'), 'utf8');
  const styles = await esbuild.build({
    entryPoints: [path.join(ui, 'board.css')],
    bundle: true,
    minify: true,
    write: false,
    // light-dark() and :has() are kept as written: every browser of the last two years has them.
    target: ['chrome123', 'firefox120', 'safari17.5'],
    logLevel: 'warning',
  });
  const css = styles.outputFiles[0].text.trim();
  assertInlineSafe(css, '</style', 'style sheet');
  const written = [];
  for (const page of PAGES) {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [path.join(ui, page.entry)],
      bundle: true,
      minify: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: ['chrome111', 'firefox114', 'safari16.4'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      tsconfig: path.join(ui, 'tsconfig.json'),
      define: { BATON_VERSION: JSON.stringify(version), 'process.env.NODE_ENV': '"production"' },
      plugins: [zodEnglishOnly],
      legalComments: 'eof',
      charset: 'utf8',
      logLevel: 'warning',
    });
    const js = result.outputFiles[0].text.trim();
    assertInlineSafe(js, '</script', 'script');
    const scriptHashes = [sha256(js)];
    const styleHashes = [sha256(css)];
    const csp = boardCsp({ scriptHashes, styleHashes });
    // board.html also states its CSP itself (belt and braces: the header is the one that counts, and only the
    // header can say frame-ancestors). app.html does not: inside a host, the host's frame policy rules.
    const meta =
      page.mode === 'http'
        ? `<meta http-equiv="Content-Security-Policy" content="${boardCsp({ scriptHashes, styleHashes }, { header: false })}" />`
        : '';
    const html = template
      .replace('<!--csp-->', () => meta)
      .replace('<!--style-->', () => `<style>${css}</style>`)
      .replace('<!--script-->', () => `<script>${js}</script>`);
    writeFileSync(path.join(out, page.file), html);
    const manifest = {
      file: page.file,
      mode: page.mode,
      version,
      bytes: Buffer.byteLength(html),
      scriptBytes: Buffer.byteLength(js),
      styleBytes: Buffer.byteLength(css),
      scriptHashes,
      styleHashes,
      ...(page.mode === 'http' ? { csp } : {}),
    };
    writeFileSync(path.join(out, page.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    written.push(manifest);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const page of await bundleBoard()) {
    process.stderr.write(`dist/board/${page.file}: ${(page.bytes / 1024).toFixed(1)} KiB\n`);
  }
}
