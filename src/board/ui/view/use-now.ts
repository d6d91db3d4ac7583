/** One shared once-a-second clock for the elapsed times of live tasks; it stops when nothing shows one. */
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: (now: number) => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    const now = Date.now();
    for (const notify of listeners) notify(now);
  }, 1000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** Browser time now, re-rendering every second while `live`; corrected by the server clock's offset. */
export function useNow(live: boolean, offsetMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return undefined;
    setNow(Date.now());
    return subscribe(setNow);
  }, [live]);
  return now + offsetMs;
}
