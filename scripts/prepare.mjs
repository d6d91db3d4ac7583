/**
 * npm's `prepare`: builds dist/bin in a clone, so that a git install (`npx <git url>`, `npm install <git url>`)
 * gets a working `baton`; npm installs the devDependencies first. Not in a global install from git: npm 11
 * links the global package to its temporary clone and gives it no devDependencies (npm/cli#8440), so that install
 * could never work. Say so in one line, with the command that does.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (!existsSync(path.join(root, 'node_modules', 'esbuild'))) {
  process.stderr.write(
    'baton: cannot build here: the build tools (devDependencies) were not installed. From git, install a packed ' +
      'copy instead: npm install -g "./$(npm pack <git url> | tail -1)"\n',
  );
  process.exit(1);
}
const { bundle } = await import('./bundle.mjs');
await bundle();
