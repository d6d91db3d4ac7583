/** Payloads, results and progress data as text: strings as they are, anything else as indented JSON, capped. */

export interface ShownValue {
  text: string;
  /** The whole text's length, when `text` is only its start. */
  fullLength: number | null;
}

/** Results may be 1 MiB (SPEC §10): the page shows the first `limit` characters until asked for all. */
export function formatValue(value: unknown, limit = 20_000): ShownValue {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      // Short values read best on one line; longer ones indented.
      const flat = JSON.stringify(value) ?? String(value);
      text = flat.length <= 80 ? flat : (JSON.stringify(value, null, 2) ?? flat);
    } catch {
      text = String(value);
    }
  }
  return text.length > limit ? { text: text.slice(0, limit), fullLength: text.length } : { text, fullLength: null };
}

/** 2048 → "2 KB", 1_500_000 → "1.4 MB": the size of what a "show all" would add. */
export function formatSize(chars: number): string {
  if (chars < 1024) return `${chars} characters`;
  if (chars < 1024 * 1024) return `${Math.round(chars / 1024)} KB`;
  return `${(chars / 1024 / 1024).toFixed(1)} MB`;
}
