/** A payload, result or progress data as preformatted text, cut at 20k characters until asked for all. */
import { useState } from 'preact/hooks';
import { formatSize, formatValue } from '../model/format.js';

/** Focusable, because a long block scrolls and keyboard users must be able to scroll it too. */
export function ValueBlock({ value, tone }: { value: unknown; tone?: 'bad' }) {
  const [all, setAll] = useState(false);
  const shown = formatValue(value, all ? Infinity : undefined);
  return (
    <div class="value">
      <pre class={tone === 'bad' ? 'block bad' : 'block'} tabIndex={0}>
        {shown.text}
        {shown.fullLength !== null && '…'}
      </pre>
      {shown.fullLength !== null && (
        <button type="button" class="link" onClick={() => setAll(true)}>
          Show all ({formatSize(shown.fullLength)})
        </button>
      )}
    </div>
  );
}
