/** The top bar: the board's name, the connection's state and who is looking. */
import type { Connection, Viewer } from '../source/board-source.js';
import { useState } from 'preact/hooks';
import { BatonMark } from './icons.js';
import { useNow } from './use-now.js';

const CONNECTION_TEXT: Record<Connection['state'], string> = {
  connecting: 'Connecting…',
  live: 'Live',
  retrying: 'Reconnecting',
  'needs-token': 'Signed out',
  stopped: 'Stopped',
};

export function Header({
  connection,
  viewer,
  onSignOut,
}: {
  connection: Connection;
  viewer: Viewer | null;
  onSignOut?: () => void;
}) {
  return (
    <header class="top">
      <div class="brand">
        <BatonMark />
        <h1>
          Baton <span class="muted">task board</span>
        </h1>
      </div>
      <div class="who">
        <span class="connection" data-state={connection.state}>
          <span class="dot" aria-hidden="true" />
          <span role="status">{CONNECTION_TEXT[connection.state]}</span>
        </span>
        {viewer && viewer.id && (
          <span class="viewer">
            <span class="muted">viewing as</span> <strong>{viewer.id}</strong>
            {viewer.admin && <span class="badge">admin</span>}
          </span>
        )}
        {onSignOut && viewer?.auth === 'token' && (
          <button type="button" class="button quiet" onClick={onSignOut}>
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}

/** Under the top bar while the connection is down: why, when the next try is, and that nothing is lost. */
export function ConnectionBanner({ connection }: { connection: Connection }) {
  if (connection.state === 'stopped') {
    return (
      <p class="banner bad" role="alert">
        {connection.reason}
      </p>
    );
  }
  if (connection.state !== 'retrying') return null;
  return (
    <p class="banner">
      Lost the connection ({connection.reason}).{' '}
      <Countdown key={`${connection.inMs}:${connection.reason}`} inMs={connection.inMs} /> Changes made meanwhile arrive
      when it is back.
    </p>
  );
}

function Countdown({ inMs }: { inMs: number }) {
  // Not in the live region: a number that changes every second would never let a screen reader rest.
  const [start] = useState(() => Date.now());
  const now = useNow(true, 0);
  const left = Math.max(0, Math.ceil((start + inMs - now) / 1000));
  return <span>{left > 0 ? `Trying again in ${left} s.` : 'Trying again now.'}</span>;
}
