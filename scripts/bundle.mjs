/**
 * Builds dist/bin: the CLI as one esbuild bundle (plus lazily loaded chunks), for a fast cold start. Everything is
 * bundled except the vendor SDKs, which stay `dependencies` and load on first use. Then dist/board: the task
 * board page, which the CLI never imports (scripts/bundle-board.mjs). `npm run bundle` and npm's `prepare`
 * (scripts/prepare.mjs) run this.
 */
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleBoard } from './bundle-board.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** esbuild's options for the CLI; tests build other entries with the same ones. */
export function bundleOptions() {
  const nodeModules = path.join(root, 'node_modules');
  return {
    absWorkingDir: root,
    // src/bin.ts is dist/bin/cli.js (package.json's bin); it loads src/cli.ts as the first chunk.
    entryPoints: [{ in: 'src/bin.ts', out: 'cli' }],
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: 'dist/bin',
    // Loaded on first use (SPEC §8); fsevents is an optional native module of file watchers; pg-native is the
    // optional native binding of pg (node-postgres), which Baton does not use (its pure-JS client is bundled).
    external: ['openai', '@anthropic-ai/sdk', 'fsevents', 'pg-native'],
    // jsonc-parser's main is a UMD build that esbuild cannot follow; its ESM build bundles.
    alias: { 'jsonc-parser': path.join(nodeModules, 'jsonc-parser', 'lib', 'esm', 'main.js') },
    // Bundled CommonJS code calls require(); an ES module has none of its own.
    banner: {
      js: "import{createRequire as __batonRequire}from'node:module';const require=__batonRequire(import.meta.url);",
    },
    logLevel: 'warning',
  };
}

/** Bundles the CLI (src/bin.ts → src/cli.ts) into dist/bin, and the task board page into dist/board (scripts/bundle-board.mjs). */
export async function bundle() {
  await bundleCli();
  await bundleBoard();
}

async function bundleCli() {
  const esbuild = createRequire(import.meta.url)('esbuild');
  // Start clean: chunks of earlier builds would otherwise be packed.
  rmSync(path.join(root, 'dist', 'bin'), { recursive: true, force: true });
  await esbuild.build(bundleOptions());
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await bundle();
