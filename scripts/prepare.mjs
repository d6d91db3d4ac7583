/**
 * npm's `prepare`: builds the bundle (dist/bin) in a clone, so that `npm install -g <git url>` and `npx <git url>`
 * give a working `baton`. npm installs a git dependency's devDependencies before running this, except in a global
 * install, where the nested install inherits npm_config_global and leaves this folder without node_modules
 * (npm/cli#8440): then the build tools are installed here first, from the lockfile, without running scripts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(args, env = process.env) {
  const result = spawnSync(npm, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync('node_modules/esbuild')) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_config_(global|location|prefix)$/i.test(key)),
  );
  run(['install', '--include=dev', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund', '--prefer-offline'], env);
}
run(['run', 'bundle']);
