/**
 * Where the board's data comes from (board contract): the HTTP endpoints and event stream of `baton serve --http`
 * and `baton board` (HttpSource), or the host bridge of an MCP App (AppSource). Both give the page the same
 * things: who is looking, a snapshot, changes after a seq, the state of the connection, and the two actions.
 */

export interface Viewer {
  /** The agent the viewer acts as: a token's agent, `--as`, or the MCP connection's agent. */
  id: string;
  /** An `--admin-token`: sees every task (it still cancels only what it delegated). */
  admin: boolean;
  /** How the viewer is known: a bearer token, none (loopback), or the host's MCP connection. */
  auth: 'token' | 'none' | 'host';
  version: string | null;
  /** Server time minus browser time, in ms, when the server told its time: elapsed times use the server's clock. */
  clockOffsetMs: number;
}

export type Connection =
  | { state: 'connecting' }
  | { state: 'live' }
  /** Lost; the next attempt starts in `inMs`. */
  | { state: 'retrying'; inMs: number; reason: string }
  /** The server wants a token (none given, or `refused`: the one given was not accepted). */
  | { state: 'needs-token'; refused: boolean }
  | { state: 'stopped'; reason: string };

export interface SourceListener {
  viewer(viewer: Viewer): void;
  /** Replaces every task: `seq` is what the snapshot is current to. */
  snapshot(seq: number, tasks: readonly unknown[]): void;
  /** Tasks changed after the last seq; `seq` (when known) is the newest change applied. */
  changes(seq: number | null, tasks: readonly unknown[]): void;
  connection(connection: Connection): void;
  /** MCP App: the task ids of the tool call the board was opened for. */
  pin?(taskIds: readonly string[]): void;
}

/** An action's outcome in words a person reads (the server's message, or its error). */
export type ActionOutcome = { ok: true; message: string } | { ok: false; message: string };

export interface MessageInput {
  to_agent_id: string;
  content: string;
  task_id?: string;
}

export interface BoardSource {
  readonly mode: 'http' | 'app';
  start(listener: SourceListener): void;
  stop(): void;
  /** `cancel_task`: delegator only; the server decides, the page only hides what cannot work. */
  cancel(taskId: string, reason?: string): Promise<ActionOutcome>;
  /** `send_message`. */
  sendMessage(input: MessageInput): Promise<ActionOutcome>;
  /** HTTP with tokens: use this token (kept for the tab) and connect again. */
  signIn?(token: string): void;
  /** HTTP with tokens: forget the token. */
  signOut?(): void;
}

/** The text of an error for a person: the server's `{error}` when it gave one. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'unexpected error';
}
