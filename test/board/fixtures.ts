/**
 * Scripted board data in the wire shape (board contract, "Records": what `get_task` returns under `task`): a
 * research fan-out in flight, and a few finished trees, as a person would see them on a busy afternoon.
 */

export type WireTask = Record<string, unknown> & {
  id: string;
  delegated_by: string;
  assignee_id: string;
  status: string;
};

const iso = (ms: number) => new Date(ms).toISOString();

/** A task with every field the contract names; `overrides` win. Times are ms offsets from `now` (negative: past). */
export function wireTask(
  now: number,
  overrides: Partial<WireTask> & { id: string; created?: number; started?: number | null; finished?: number | null },
): WireTask {
  const { created = -60_000, started = created, finished = null, ...rest } = overrides;
  const timeout = typeof rest.timeout_seconds === 'number' ? rest.timeout_seconds : 600;
  const startedAt = started === null ? null : now + started;
  const task: WireTask = {
    kind: 'delegation',
    delegated_by: 'host',
    assignee_id: 'researcher',
    description: 'A task',
    status: 'in_progress',
    status_message: null,
    priority: 'normal',
    group: null,
    depends_on: [],
    parent_task_id: null,
    root_task_id: rest.id,
    depth: 0,
    timeout_seconds: timeout,
    created_at: iso(now + created),
    started_at: startedAt === null ? null : iso(startedAt),
    updated_at: iso(now + (finished ?? started ?? created)),
    deadline: startedAt === null ? null : iso(startedAt + timeout * 1000),
    finished_at: finished === null ? null : iso(now + finished),
    progress: [],
    error: null,
    attempts: startedAt === null ? 0 : 1,
    max_retries: 0,
    session_id: null,
    ...rest,
  };
  return task;
}

const usage = (input: number, output: number, cost: number | null, cacheRead = 0) => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_tokens: cacheRead,
  cache_write_tokens: 0,
  total_tokens: input + output,
  cost_usd: cost,
});

const progress = (now: number, entries: [number, string][]) =>
  entries.map(([at, message]) => ({ at: iso(now + at), message }));

/** Stable ids, so tests and the screenshot can name tasks. */
export const IDS = {
  survey: 't-survey',
  claude: 't-claude-docs',
  vscode: 't-vscode-docs',
  cursor: 't-cursor-notes',
  merge: 't-merge-table',
  jsonFlag: 't-json-flag',
  review: 't-review-pr',
  e2e: 't-e2e-node20',
  translate: 't-translate',
  refactor: 't-refactor',
} as const;

/** The viewer of these tasks is `host`; `bob` delegated one task to it. */
export function boardTasks(now = Date.now(), withUsage = true): WireTask[] {
  const u = (value: ReturnType<typeof usage>) => (withUsage ? value : undefined);
  const child = (overrides: Parameters<typeof wireTask>[1]) =>
    wireTask(now, {
      parent_task_id: IDS.survey,
      root_task_id: IDS.survey,
      depth: 1,
      delegated_by: 'researcher',
      ...overrides,
    });
  const tasks: WireTask[] = [
    wireTask(now, {
      id: IDS.survey,
      description: 'Compare how MCP hosts render MCP Apps and summarise the differences in one table',
      payload: { hosts: ['Claude Desktop', 'VS Code', 'Cursor'], format: 'markdown table' },
      group: 'apps-survey',
      priority: 'high',
      created: -154_000,
      timeout_seconds: 600,
      progress: progress(now, [
        [-150_000, 'Listing hosts that render MCP Apps'],
        [-120_000, 'Delegated one reader per host'],
        [-21_000, 'Claude Desktop notes in; waiting for VS Code and Cursor'],
      ]),
      usage: u(usage(18_200, 2_950, 0.084, 9_000)),
      usage_total: u(usage(61_400, 9_870, 0.262, 31_000)),
    }),
    child({
      id: IDS.claude,
      assignee_id: 'web-reader',
      description: 'Read the Claude Desktop documentation on MCP Apps and note how it sizes and themes the frame',
      created: -118_000,
      finished: -70_000,
      status: 'completed',
      progress: progress(now, [[-100_000, 'Read 3 pages']]),
      result:
        'Claude Desktop renders ui:// resources in a sandboxed iframe, resizes it to the content height and passes its theme and style variables.',
      usage: u(usage(22_300, 3_100, 0.091, 12_000)),
      usage_total: u(usage(22_300, 3_100, 0.091, 12_000)),
    }),
    child({
      id: IDS.vscode,
      assignee_id: 'web-reader',
      description: 'Read the VS Code documentation on MCP Apps',
      created: -117_000,
      timeout_seconds: 150,
      progress: progress(now, [
        [-90_000, 'Fetched the release notes'],
        [-8_000, 'Reading the webview security notes (4 of 5 pages)'],
      ]),
      usage: u(usage(20_900, 3_820, 0.087, 10_000)),
      usage_total: u(usage(20_900, 3_820, 0.087, 10_000)),
    }),
    child({
      id: IDS.cursor,
      assignee_id: 'web-reader',
      description: 'Check the Cursor changelog for MCP App support',
      created: -116_000,
      started: null,
      status: 'pending',
      status_message: 'queued',
    }),
    child({
      id: IDS.merge,
      assignee_id: 'summarizer',
      description: 'Merge the three hosts’ notes into one comparison table',
      created: -115_000,
      started: null,
      status: 'pending',
      depends_on: [IDS.claude, IDS.vscode, IDS.cursor],
    }),
    wireTask(now, {
      id: IDS.translate,
      delegated_by: 'bob',
      assignee_id: 'host',
      description: 'Translate the README quick start into French',
      created: -420_000,
      progress: progress(now, [[-300_000, 'First half done']]),
    }),
    wireTask(now, {
      id: IDS.jsonFlag,
      assignee_id: 'coder',
      kind: 'dispatch',
      description: 'Add a --json flag to baton agents',
      group: 'cli',
      created: -1_380_000,
      finished: -1_204_000,
      status: 'completed',
      result: { files_changed: ['src/cli/agents.ts', 'test/cli/agents.test.ts'], tests: 'passed' },
      usage: u(usage(48_100, 6_400, null)),
      usage_total: u(usage(48_100, 6_400, null)),
    }),
    wireTask(now, {
      id: IDS.review,
      assignee_id: 'reviewer',
      description: 'Review the store journal compaction change',
      created: -2_400_000,
      finished: -2_290_000,
      status: 'failed',
      error: 'provider error: 529 overloaded (after 3 retries)',
      attempts: 1,
    }),
    wireTask(now, {
      id: IDS.e2e,
      assignee_id: 'tester',
      description: 'Run the end-to-end suite on Node 20',
      group: 'cli',
      created: -3_900_000,
      timeout_seconds: 300,
      finished: -3_600_000,
      status: 'timed_out',
      error: 'timed out after 300 s',
    }),
    wireTask(now, {
      id: IDS.refactor,
      assignee_id: 'coder',
      description: 'Split the scheduler into queue and slots',
      created: -5_400_000,
      finished: -5_300_000,
      status: 'cancelled',
      error: 'cancelled by host: superseded',
    }),
  ];
  // Without usage (before issue 11) the fields are absent, as an older server sends them.
  return JSON.parse(JSON.stringify(tasks)) as WireTask[];
}
