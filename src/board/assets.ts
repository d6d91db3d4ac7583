/**
 * The board's built pages (board contract, "Page assets"): dist/board/board.html with the CSP header of
 * board.json, and dist/board/app.html, the MCP App. They are read from disk when first served and kept; the CLI
 * bundle never imports them. A missing build is a clear error, not a blank page.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, errorMessage } from '../errors.js';

export interface BoardPage {
  html: string;
  /** The whole Content-Security-Policy header to send with it. */
  csp: string;
}

export interface BoardAssets {
  /** board.html and its CSP header. */
  page(): BoardPage;
  /** app.html, the MCP App resource's text. */
  app(): string;
}

/**
 * The package's dist/board: found by walking up from this module to the folder holding the package's
 * package.json (dist/bin/… in the bundle, src/board/… in a checkout).
 */
export function boardDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'dist', 'board'))) {
      return path.join(dir, 'dist', 'board');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from, '..', '..', 'dist', 'board');
    dir = parent;
  }
}

/** Reads the pages in `dir` (default the package's dist/board) on first use. */
export function boardAssets(dir: string = boardDir()): BoardAssets {
  let page: BoardPage | null = null;
  let app: string | null = null;
  const read = (file: string) => {
    try {
      return readFileSync(path.join(dir, file), 'utf8');
    } catch (error) {
      throw new ConfigError(
        `the task board is not built: cannot read ${path.join(dir, file)} (${errorMessage(error)}); run npm run build`,
      );
    }
  };
  return {
    page() {
      if (page === null) {
        const manifest = JSON.parse(read('board.json')) as { csp?: unknown };
        if (typeof manifest.csp !== 'string') throw new ConfigError(`${path.join(dir, 'board.json')}: no csp`);
        page = { html: read('board.html'), csp: manifest.csp };
      }
      return page;
    },
    app() {
      app ??= read('app.html');
      return app;
    },
  };
}
