/**
 * Error classes grouped by who is at fault. Each carries a stable string `code` and its `cause`.
 * Tools turn `InputError`s into `isError` results whose text helps the caller fix the call.
 */

/** Base class: every Baton error has a code. */
export class BatonError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The caller's fault: bad arguments, an unknown id, a call it may not make, a limit it went over. */
export class InputError extends BatonError {}

/** A task id that does not exist or that the caller is not a party to (ids must not leak). */
export class NotFoundError extends InputError {
  constructor(what: string, id: string) {
    super('not_found', `${what} not found: ${id}`);
  }
}

/** A bad configuration: flags, environment, config file, agent definitions. */
export class ConfigError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('bad_config', message, options);
  }
}

/** The store file cannot be read or written. */
export class StoreError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store', message, options);
  }
}

/**
 * A run's lease on its task was taken over (its process stalled past the lease, or another process took the task
 * after its lease lapsed): the write was refused, nothing changed. The run stops quietly; the new holder goes on.
 */
export class LeaseLostError extends BatonError {
  constructor(taskId: string, options?: { cause?: unknown }) {
    super('lease_lost', `task ${taskId} is no longer held by this runner; the write was refused`, options);
  }
}

/** What the agent did, not the caller: it used every step without an answer, say. */
export class AgentError extends BatonError {}

/** A model provider failed: an HTTP error, a malformed answer, a missing key. */
export class ProviderError extends BatonError {
  /** HTTP status when the provider answered with one. */
  readonly status: number | undefined;
  /** True for faults worth retrying: 429, 5xx, network errors. */
  readonly retryable: boolean;
  constructor(message: string, options: { status?: number; retryable: boolean; code?: string; cause?: unknown }) {
    super(options.code ?? 'provider', message, { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable;
  }
}

/** Work that was cancelled by its delegator or by the client. */
export class CancelledError extends BatonError {
  constructor(message = 'cancelled', options?: { cause?: unknown }) {
    super('cancelled', message, options);
  }
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
