#!/usr/bin/env node
/**
 * The `baton` executable (dist/bin/cli.js, bundled by scripts/bundle.mjs): holds the young generation through
 * start-up (util/young-generation.ts), then loads the CLI (src/cli.ts). The CLI is imported here, not statically,
 * because static imports are evaluated before a module's body: the hold must be in place before the CLI's modules
 * (the SDK, zod schemas) are evaluated, since they are what first grows the young generation.
 */
import { holdForStartUp } from './util/young-generation.js';

holdForStartUp();
await import('./cli.js');
