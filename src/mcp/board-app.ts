/**
 * The task board as an MCP App (board contract, "MCP App"; SPEC §12): the resource `ui://baton/board.html` (the
 * board built in app mode), the app-only tool `board_snapshot` it polls through the host's bridge, and the `_meta`
 * that links subagent_dispatch, wait_for_tasks and get_task to it. Hosts that render MCP Apps show the live tree of
 * the call's work; hosts that do not ignore `_meta` and are not listed `board_snapshot` at all.
 */
import {
  RESOURCE_MIME_TYPE,
  getUiCapability,
  RESOURCE_URI_META_KEY,
  registerAppResource,
  registerAppTool,
} from '@modelcontextprotocol/ext-apps/server';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { boardAssets } from '../board/assets.js';
import type { BoardAssets } from '../board/assets.js';
import { changedSince, snapshot } from '../board/board-view.js';
import type { Viewer } from '../board/board-view.js';
import { TaskIdSchema } from '../tasks/inputs.js';
import type { SessionContext } from './context.js';
import { toolResult } from './tool-result.js';

export const BOARD_APP_URI = 'ui://baton/board.html';
export const BOARD_SNAPSHOT = 'board_snapshot';

/** The tools whose calls show the board (`_meta.ui.resourceUri`, and the legacy flat key older hosts read). */
export const BOARD_LINKED_TOOLS: readonly string[] = ['subagent_dispatch', 'wait_for_tasks', 'get_task'];
export const BOARD_TOOL_META = { ui: { resourceUri: BOARD_APP_URI }, [RESOURCE_URI_META_KEY]: BOARD_APP_URI };

const SnapshotInput = {
  after_seq: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Only the tasks changed after this seq (the seq of the previous answer). Default: a whole snapshot.'),
  task_ids: z
    .array(TaskIdSchema)
    .max(100)
    .optional()
    .describe('Also include the whole trees of these tasks (the ones the call that opened the board is about).'),
};
const SnapshotOutput = {
  seq: z.number().int().describe('The store position this answer is current to: pass it back as after_seq.'),
  // Each as get_task's `task` (TaskSchema); left open here, so that an app-only tool costs hosts' tool lists little.
  tasks: z.array(z.looseObject({ id: z.string(), seq: z.number() })).describe('Tasks as get_task returns them.'),
  viewer: z.string(),
  admin: z.boolean(),
};

let shared: BoardAssets | null = null;

const who = (viewer: Viewer) => ({ viewer: viewer.agent, admin: viewer.admin });

/** Registers the board's resource and its snapshot tool on one connection's server. */
/** Whether the client says it renders MCP Apps (the `io.modelcontextprotocol/ui` extension in its capabilities). */
export function hostRendersApps(capabilities: Parameters<typeof getUiCapability>[0]): boolean {
  return getUiCapability(capabilities) !== undefined;
}

export function registerBoardApp(server: McpServer, ctx: SessionContext, assets?: BoardAssets): RegisteredTool {
  const pages = () => assets ?? (shared ??= boardAssets());
  registerAppResource(
    server,
    'Baton task board',
    BOARD_APP_URI,
    {
      description: 'The live tree of your tasks: status, progress, time against the deadline, results.',
      mimeType: RESOURCE_MIME_TYPE,
      // The page fetches nothing: every byte is inline, and its data comes through the host's bridge.
      _meta: { ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } },
    },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: RESOURCE_MIME_TYPE, text: pages().app() }] }),
  );
  return registerAppTool(
    server,
    BOARD_SNAPSHOT,
    {
      title: 'Task board snapshot',
      description: "The task board's data: your tasks' trees, or those changed after after_seq. For the board app.",
      inputSchema: SnapshotInput,
      outputSchema: SnapshotOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      _meta: { ui: { resourceUri: BOARD_APP_URI, visibility: ['app'] } },
    },
    (args) =>
      toolResult(async () => {
        // The connection's own agent, as get_task sees it (never more: a host's app is no operator console).
        const viewer: Viewer = { agent: ctx.caller, admin: false };
        const include = args.task_ids ?? [];
        if (args.after_seq === undefined)
          return { ...(await snapshot(ctx.tasks, viewer, { include })), ...who(viewer) };
        const answer = await changedSince(ctx.tasks, viewer, args.after_seq);
        if (include.length > 0) {
          // Pinned trees (the call's tasks) come whole each time: they may be older than the first snapshot's
          // trees; the page keeps whichever version of a task has the higher seq.
          const pinned = await snapshot(ctx.tasks, viewer, { limit: 0, include });
          const have = new Set(answer.tasks.map((t) => t.id));
          for (const task of pinned.tasks) if (!have.has(task.id)) answer.tasks.push(task);
        }
        return { ...answer, ...who(viewer) };
      }),
  );
}
