/**
 * One line of live progress on stderr, for `baton dispatch`: redrawn in place on a terminal, one plain line per
 * change anywhere else. Hand-written rather than a spinner library: ora divides by the terminal's width to count
 * the lines it must erase, so a terminal that reports 0 columns made it loop forever writing escape codes
 * (issue 12). This line is clipped to the width and never wraps, so there is nothing to count.
 */
import { clip } from './table.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Narrower than this (or a width of 0: unknown), a terminal gets plain lines. */
const MIN_LIVE_COLUMNS = 20;

/** The stream a progress line writes to: stderr, or a test's stand-in. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressLine {
  /** Shows `text` as the current state. */
  update(text: string): void;
  /** Ends with a last line (✔ or ✖ on a terminal). */
  done(text: string, ok: boolean): void;
  /** Ends and erases the live line, writing nothing more. */
  stop(): void;
}

export function progressLine(stream: ProgressStream, options: { frameMs?: number } = {}): ProgressLine {
  const live = stream.isTTY === true && (stream.columns ?? 0) >= MIN_LIVE_COLUMNS;
  const started = Date.now();
  let text = '';
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    // Read the width at every frame: the terminal may have been resized; 0 (unknown) falls back to 80.
    const width = Math.max(MIN_LIVE_COLUMNS, stream.columns || 80) - 1;
    stream.write(`\r${clip(`${FRAMES[frame++ % FRAMES.length]} ${text} (${seconds} s)`, width)}\x1b[K`);
  };
  const erase = () => {
    clearInterval(timer);
    timer = undefined;
    if (live) stream.write('\r\x1b[K');
  };
  if (live) {
    timer = setInterval(draw, options.frameMs ?? 100);
    timer.unref();
  }
  return {
    update(next) {
      if (next === text) return;
      text = next;
      if (live) draw();
      else stream.write(`${next}\n`);
    },
    done(last, ok) {
      erase();
      stream.write(`${live ? (ok ? '✔ ' : '✖ ') : ''}${last}\n`);
    },
    stop: erase,
  };
}
