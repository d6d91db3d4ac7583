/**
 * Start-up and loading a store keep nearly everything they allocate, and V8 answers a young generation whose
 * objects survive by growing it (to 2 × 16 MB), then keeps it grown: a server that loaded 100k tasks held ~20 MB
 * more RSS for the rest of its life than its tasks need (issue 15: RSS ≤ 200 MB at 100k). While such a build runs
 * (the CLI's start until its store is open, a store's load, the first build of the query index) the young
 * generation is held at its size (V8's `semi_space_growth_factor` 1); V8's default (2) is put back after, so
 * request traffic, whose garbage dies young, is as before. Left alone when the process was started with its own
 * semi-space flags.
 */
import v8 from 'node:v8';

const V8_DEFAULT_GROWTH = 2;
/**
 * The default goes back this long after the last hold ends: what the build allocated last is still young then,
 * and the next scavenges, which find it alive, would grow the young generation after all.
 */
const SETTLE_MS = 1000;
const userTuned = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => /semi[-_]space/.test(arg));
let holds = 0;
let startUp = false;

function hold(): void {
  if (!userTuned && holds++ === 0) v8.setFlagsFromString('--semi-space-growth-factor=1');
}

function letGo(): void {
  if (userTuned || --holds > 0) return;
  setTimeout(() => {
    if (holds === 0) v8.setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH}`);
  }, SETTLE_MS).unref();
}

/** Held from the CLI's first module (src/cli/start-up-hold.ts) until `startUpDone`. */
export function holdForStartUp(): void {
  if (startUp) return;
  startUp = true;
  hold();
}

/** The process has started (its store is open, or could not be); no-op without `holdForStartUp`. */
export function startUpDone(): void {
  if (!startUp) return;
  startUp = false;
  letGo();
}

/** Runs `fn` (a bulk build whose allocations live on) without growing the young generation. */
export async function withoutYoungGrowth<T>(fn: () => Promise<T>): Promise<T> {
  hold();
  try {
    return await fn();
  } finally {
    letGo();
  }
}

/** The same, for a synchronous build. */
export function withoutYoungGrowthSync<T>(fn: () => T): T {
  hold();
  try {
    return fn();
  } finally {
    letGo();
  }
}
