/**
 * The board inside a host, as an MCP App (board contract, "MCP App"): the page cannot reach Baton itself (no
 * socket over stdio, no token in a sandboxed frame), so it asks through the host bridge: it polls the app-only
 * tool `board_snapshot` about once a second (a snapshot first, then the changes after the last seq), and acts
 * with the ordinary `cancel_task` and `send_message` tools, under the connection's own access rules.
 */
import type { App } from '@modelcontextprotocol/ext-apps';
import { backoffDelay, DEFAULT_BACKOFF, pause } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { errorText } from './board-source.js';
import type { ActionOutcome, BoardSource, MessageInput, SourceListener } from './board-source.js';
import { taskIdsOf } from '../model/pins.js';

export const SNAPSHOT_TOOL = 'board_snapshot';

export interface AppSourceOptions {
  intervalMs?: number;
  backoff?: BackoffOptions;
  /** After the handshake, when the host's context (theme, styles) is known. */
  onConnected?(): void;
}

type CallResult = Awaited<ReturnType<App['callServerTool']>>;

/** A tool's answer as an object: its structured content, else its first text block read as JSON. */
function structured(result: CallResult): Record<string, unknown> {
  const fromContent = () => {
    const text = result.content?.find((block) => block.type === 'text');
    if (!text || text.type !== 'text') return {};
    try {
      return JSON.parse(text.text) as unknown;
    } catch {
      return {};
    }
  };
  const value = result.structuredContent ?? fromContent();
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** The text of a tool's isError result. */
function toolError(result: CallResult): string {
  const text = result.content?.find((block) => block.type === 'text');
  return text && text.type === 'text' ? text.text : 'the tool call failed';
}

export class AppSource implements BoardSource {
  readonly mode = 'app';
  private readonly run = new AbortController();
  private readonly intervalMs: number;
  private readonly backoff: BackoffOptions;
  private readonly onConnected: (() => void) | undefined;
  /** The task ids of the call the board was opened for: sent as `task_ids`, so a pinned tree always comes. */
  private pins: string[] = [];
  private needSnapshot = true;
  private wake: (() => void) | null = null;

  constructor(
    private readonly app: App,
    options: AppSourceOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.onConnected = options.onConnected;
  }

  start(listener: SourceListener): void {
    // Handlers go on before connect(): the host sends the tool input and result once, right after the handshake.
    this.app.ontoolinput = (params) => this.pin(listener, taskIdsOf(params.arguments));
    this.app.ontoolresult = (params) => this.pin(listener, taskIdsOf(params.structuredContent));
    this.app.onteardown = async () => {
      this.stop();
      return {};
    };
    void this.loop(listener);
  }

  stop(): void {
    this.run.abort();
  }

  async cancel(taskId: string, reason?: string): Promise<ActionOutcome> {
    return this.call('cancel_task', reason ? { task_id: taskId, reason } : { task_id: taskId }, (answer) =>
      typeof answer.message === 'string' ? answer.message : 'Cancelled.',
    );
  }

  async sendMessage(input: MessageInput): Promise<ActionOutcome> {
    return this.call(
      'send_message',
      { ...input },
      (answer) => `Message sent to ${String(answer.delivered_to ?? input.to_agent_id)}.`,
    );
  }

  private pin(listener: SourceListener, ids: string[]): void {
    const fresh = ids.filter((id) => !this.pins.includes(id));
    if (fresh.length === 0) return;
    this.pins = [...this.pins, ...fresh];
    listener.pin?.(this.pins);
    // The pinned trees may be older than the newest roots a plain snapshot holds: ask for them now.
    this.needSnapshot = true;
    this.wake?.();
  }

  private async loop(listener: SourceListener): Promise<void> {
    const signal = this.run.signal;
    listener.connection({ state: 'connecting' });
    try {
      await this.app.connect();
    } catch (error) {
      listener.connection({ state: 'stopped', reason: `The host did not connect: ${errorText(error)}` });
      return;
    }
    this.onConnected?.();
    if (!this.app.getHostCapabilities()?.serverTools) {
      listener.connection({ state: 'stopped', reason: 'This host does not let the board call Baton’s tools.' });
      return;
    }
    let seq: number | null = null;
    let attempt = 0;
    let viewerKnown = false;
    while (!signal.aborted) {
      let waitMs = this.intervalMs;
      try {
        const snapshot = this.needSnapshot || seq === null;
        this.needSnapshot = false;
        const args: Record<string, unknown> = {};
        if (!snapshot && seq !== null) args.after_seq = seq;
        if (this.pins.length > 0) args.task_ids = this.pins;
        const result = await this.app.callServerTool({ name: SNAPSHOT_TOOL, arguments: args });
        if (result.isError) throw new Error(toolError(result));
        const answer = structured(result);
        const tasks = Array.isArray(answer.tasks) ? answer.tasks : [];
        const answerSeq = typeof answer.seq === 'number' ? answer.seq : (seq ?? 0);
        if (!viewerKnown && typeof answer.viewer === 'string') {
          listener.viewer({
            id: answer.viewer,
            admin: answer.admin === true,
            auth: 'host',
            version: null,
            clockOffsetMs: 0,
          });
          viewerKnown = true;
        }
        if (snapshot) listener.snapshot(answerSeq, tasks);
        else listener.changes(answerSeq, tasks);
        seq = Math.max(seq ?? 0, answerSeq);
        attempt = 0;
        listener.connection({ state: 'live' });
      } catch (error) {
        if (signal.aborted) return;
        waitMs = backoffDelay(attempt++, this.backoff);
        listener.connection({ state: 'retrying', inMs: waitMs, reason: errorText(error) });
      }
      await this.sleep(waitMs, signal);
    }
  }

  /** Waits for the next poll; a new pin cuts the wait short. */
  private async sleep(ms: number, signal: AbortSignal): Promise<void> {
    const early = new AbortController();
    this.wake = () => early.abort();
    const onAbort = () => early.abort();
    signal.addEventListener('abort', onAbort);
    await pause(ms, early.signal);
    signal.removeEventListener('abort', onAbort);
    this.wake = null;
  }

  private async call(
    name: string,
    args: Record<string, unknown>,
    describe: (answer: Record<string, unknown>) => string,
  ): Promise<ActionOutcome> {
    try {
      const result = await this.app.callServerTool({ name, arguments: args });
      if (result.isError) return { ok: false, message: toolError(result) };
      this.wake?.();
      return { ok: true, message: describe(structured(result)) };
    } catch (error) {
      return { ok: false, message: errorText(error) };
    }
  }
}
