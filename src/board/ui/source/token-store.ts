/**
 * The bearer token, kept for this tab only (board contract: asked once, in `sessionStorage`, never in a URL).
 * Storage can be missing or refuse (a sandboxed frame, a privacy mode): the token then lives in memory.
 */
const KEY = 'baton-board-token';

export class TokenStore {
  private memory: string | null = null;

  constructor(private readonly storage: Storage | null = sessionStorageOrNull()) {}

  get(): string | null {
    try {
      return this.storage?.getItem(KEY) ?? this.memory;
    } catch {
      return this.memory;
    }
  }

  set(token: string): void {
    this.memory = token;
    try {
      this.storage?.setItem(KEY, token);
    } catch {
      // Kept in memory only: the tab still works until it is closed or reloaded.
    }
  }

  clear(): void {
    this.memory = null;
    try {
      this.storage?.removeItem(KEY);
    } catch {
      // Nothing stored.
    }
  }
}

function sessionStorageOrNull(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}
