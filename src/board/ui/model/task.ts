/**
 * The board's task record: the JSON `get_task` returns under `task` (board contract, "Records"), read defensively
 * into one normalised shape. Times become epoch milliseconds; optional or malformed fields become null; nothing
 * here throws on odd input, because the page must keep rendering whatever a newer or older server sends.
 */

/** SPEC §5 statuses, in lifecycle order (the order the filters show them in). */
export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'timed_out', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** A status this page does not know (a newer server): shown as such, never guessed. */
export type ShownStatus = TaskStatus | 'unknown';

const TERMINAL: ReadonlySet<ShownStatus> = new Set(['completed', 'failed', 'timed_out', 'cancelled']);
/** SPEC §5: nothing leaves a terminal state. */
export const isTerminal = (status: ShownStatus): boolean => TERMINAL.has(status);

/** Token counts and cost of one task (`usage`) or its subtree (`usage_total`); SPEC §5, issue 11. */
export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  totalTokens: number | null;
  /** null: the price of the model is unknown. */
  costUsd: number | null;
}

export interface ProgressEntry {
  at: number | null;
  message: string;
  data: unknown;
  hasData: boolean;
}

export interface BoardTask {
  id: string;
  kind: string;
  delegatedBy: string;
  assigneeId: string;
  description: string;
  payload: unknown;
  hasPayload: boolean;
  status: ShownStatus;
  statusMessage: string | null;
  priority: string | null;
  group: string | null;
  dependsOn: string[];
  parentId: string | null;
  rootId: string;
  depth: number;
  timeoutSeconds: number | null;
  createdAt: number | null;
  startedAt: number | null;
  updatedAt: number | null;
  deadline: number | null;
  finishedAt: number | null;
  progress: ProgressEntry[];
  result: unknown;
  hasResult: boolean;
  error: string | null;
  attempts: number | null;
  maxRetries: number | null;
  sessionId: string | null;
  /** The store-wide seq of this task's last write, when the server sends it: orders updates of one task. */
  seq: number | null;
  usage: Usage | null;
  usageTotal: Usage | null;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const nonEmpty = (value: unknown): string | null => {
  const text = str(value);
  return text === null || text === '' ? null : text;
};

/** Epoch ms of an ISO timestamp, or null. */
export function parseTime(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function parseStatus(value: unknown): ShownStatus {
  return (TASK_STATUSES as readonly unknown[]).includes(value) ? (value as TaskStatus) : 'unknown';
}

/** `usage` / `usage_total`: any object with at least one number in it; anything else is "not known". */
export function parseUsage(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  const usage: Usage = {
    inputTokens: num(value.input_tokens),
    outputTokens: num(value.output_tokens),
    cacheReadTokens: num(value.cache_read_tokens),
    cacheWriteTokens: num(value.cache_write_tokens),
    totalTokens: num(value.total_tokens),
    costUsd: num(value.cost_usd),
  };
  if (usage.totalTokens === null && (usage.inputTokens !== null || usage.outputTokens !== null)) {
    usage.totalTokens = (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
  }
  return Object.values(usage).some((field) => field !== null) ? usage : null;
}

function parseProgress(value: unknown): ProgressEntry[] {
  if (!Array.isArray(value)) return [];
  const entries: ProgressEntry[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    entries.push({
      at: parseTime(item.at),
      message: str(item.message) ?? '',
      data: item.data,
      hasData: item.data !== undefined && item.data !== null,
    });
  }
  return entries;
}

/** Reads one task from the wire; null when it has no id (it could never be shown or updated). */
export function parseTask(raw: unknown): BoardTask | null {
  if (!isObject(raw)) return null;
  const id = nonEmpty(raw.id);
  if (id === null) return null;
  return {
    id,
    kind: str(raw.kind) ?? 'delegation',
    delegatedBy: str(raw.delegated_by) ?? '',
    assigneeId: str(raw.assignee_id) ?? '',
    description: str(raw.description) ?? '',
    payload: raw.payload,
    hasPayload: raw.payload !== undefined && raw.payload !== null,
    status: parseStatus(raw.status),
    statusMessage: nonEmpty(raw.status_message),
    priority: nonEmpty(raw.priority),
    group: nonEmpty(raw.group),
    dependsOn: Array.isArray(raw.depends_on) ? raw.depends_on.filter((dep) => typeof dep === 'string') : [],
    parentId: nonEmpty(raw.parent_task_id),
    rootId: nonEmpty(raw.root_task_id) ?? id,
    depth: num(raw.depth) ?? 0,
    timeoutSeconds: num(raw.timeout_seconds),
    createdAt: parseTime(raw.created_at),
    startedAt: parseTime(raw.started_at),
    updatedAt: parseTime(raw.updated_at),
    deadline: parseTime(raw.deadline),
    finishedAt: parseTime(raw.finished_at),
    progress: parseProgress(raw.progress),
    result: raw.result,
    hasResult: raw.result !== undefined && raw.result !== null,
    error: nonEmpty(raw.error),
    attempts: num(raw.attempts),
    maxRetries: num(raw.max_retries),
    sessionId: nonEmpty(raw.session_id),
    seq: num(raw.seq),
    usage: parseUsage(raw.usage),
    usageTotal: parseUsage(raw.usage_total),
  };
}

/** The newest progress message, else the status message ("queued"), else null. */
export function latestProgress(task: BoardTask): string | null {
  for (let i = task.progress.length - 1; i >= 0; i--) {
    const message = task.progress[i]?.message;
    if (message) return message;
  }
  return task.statusMessage;
}
