/**
 * Context (SPEC §11): how many tokens the whole `tools/list` answer costs a host's context window, with the 20
 * agents of bench/fixtures/agents-20.json (every one usable, so all of them are in the dispatch enum). Targets:
 * ≤ 4,000 tokens with every tool published, ≤ 1,500 with `--tools dispatch`.
 *
 * The built CLI runs over stdio as a host starts it; the count is the cl100k_base encoding (js-tiktoken) of the
 * compact JSON of the `tools` array: names, titles, descriptions, input and output schemas, annotations, as the
 * host receives them. Per-tool counts show where the tokens go. Tools for an MCP App only are left out: the host
 * keeps them from the model (see `modelTools`).
 *
 * Run alone: node bench/tool-list-tokens.mjs   (after `npm run build`)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { batonArgs, connectStdio } from './baton-stdio.mjs';
import { BENCH_DIR, isMain, printChecks, printTable, tempDir } from './util.mjs';

export const name = 'tool-list-tokens';

/** SPEC §11's targets, by `--tools` setting. */
export const TARGETS = { all: 4000, dispatch: 1500 };

const encoder = new Tiktoken(cl100k);

/** cl100k tokens of a JSON value's compact serialisation. */
export function tokensOf(value) {
  return encoder.encode(JSON.stringify(value)).length;
}

/**
 * The tools a model sees. MCP Apps (@modelcontextprotocol/ext-apps 1.7, `McpUiToolMeta.visibility` in
 * dist/src/spec.types.d.ts): `"model"` is "visible to and callable by the agent", `"app"` "callable by the app from
 * this server only", default both; its `registerAppTool` example for `visibility: ["app"]` is a "tool hidden from
 * model, only callable by UI". So a tool whose visibility leaves out "model" costs a model's context nothing.
 */
export function modelTools(tools) {
  return tools.filter((t) => {
    const visibility = t._meta?.ui?.visibility;
    return !Array.isArray(visibility) || visibility.includes('model');
  });
}

/** The 20 benchmark agents, as definition files in `dir`. */
export function writeTwentyAgents(dir) {
  mkdirSync(dir, { recursive: true });
  const agents = JSON.parse(readFileSync(path.join(BENCH_DIR, 'fixtures', 'agents-20.json'), 'utf8'));
  for (const a of agents) {
    writeFileSync(
      path.join(dir, `${a.id}.md`),
      `---\nname: ${a.id}\ndescription: ${a.description}\nmodel: ${a.model}\n---\nYou are ${a.id}.\n`,
    );
  }
  return agents;
}

async function listTools(box, extra) {
  const conn = await connectStdio(batonArgs(box, ['--no-bundled-agents', ...extra]), { cwd: box.dir, env: box.env });
  try {
    const { tools } = await conn.client.listTools();
    return modelTools(tools);
  } finally {
    await conn.close();
  }
}

/** The benchmark smoke test (test/bench/benchmarks.test.ts) runs it as it is: it is quick. */
export const SMOKE = {};

export async function run() {
  const tmp = tempDir('baton-bench-tokens-');
  try {
    const home = path.join(tmp.dir, 'home');
    mkdirSync(home);
    const agents = path.join(tmp.dir, 'agents');
    writeTwentyAgents(agents);
    const box = {
      dir: tmp.dir,
      agents,
      store: path.join(tmp.dir, 'store.json'),
      env: { PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home, OPENAI_API_KEY: 'sk-bench' },
    };
    const all = await listTools(box, []);
    const dispatch = await listTools(box, ['--tools', 'dispatch']);
    const perTool = all.map((t) => ({ tool: t.name, tokens: tokensOf(t) })).sort((a, b) => b.tokens - a.tokens);
    const totals = { all: tokensOf(all), dispatch: tokensOf(dispatch) };
    return {
      agents: 20,
      tokenizer: 'cl100k_base (js-tiktoken)',
      totals,
      per_tool: perTool,
      checks: [
        {
          name: 'tools/list, 20 agents (tokens)',
          value: totals.all,
          target: `≤ ${TARGETS.all}`,
          ok: totals.all <= TARGETS.all,
        },
        {
          name: 'tools/list, --tools dispatch (tokens)',
          value: totals.dispatch,
          target: `≤ ${TARGETS.dispatch}`,
          ok: totals.dispatch <= TARGETS.dispatch,
        },
      ],
    };
  } finally {
    tmp.cleanup();
  }
}

export function print(result) {
  printTable(
    'tools/list tokens by tool (cl100k, 20 agents)',
    [
      { key: 'tool', label: 'tool' },
      { key: 'tokens', label: 'tokens', digits: 0 },
    ],
    result.per_tool,
  );
  printChecks('context: targets', result.checks);
}

if (isMain(import.meta.url)) print(await run());
