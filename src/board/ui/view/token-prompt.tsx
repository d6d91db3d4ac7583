/** With `--tokens`, the page asks for a token once; it is kept for this tab and sent in a header only. */
import { useEffect, useRef, useState } from 'preact/hooks';

export function TokenPrompt({ refused, onToken }: { refused: boolean; onToken(token: string): void }) {
  const [token, setToken] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [refused]);
  return (
    <div class="sign-in">
      <form
        class="card"
        aria-labelledby="sign-in-title"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <h2 id="sign-in-title">Sign in to the task board</h2>
        <p class="muted">
          This Baton server asks for a bearer token: the board shows the tasks of the token’s agent. The token is kept
          for this tab only and sent in a header, never in the address.
        </p>
        <label for="token">Token</label>
        <input
          id="token"
          ref={input}
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          aria-describedby={refused ? 'token-refused' : undefined}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        {refused && (
          <p id="token-refused" class="error" role="alert">
            That token was not accepted. Check it and try again.
          </p>
        )}
        <button type="submit" class="button primary">
          Open the board
        </button>
      </form>
    </div>
  );
}
