/** What the tools beyond Baton's own give back at most, so one call cannot flood the model's context ("says so"). */

/** Characters of text a workspace tool returns. */
export const MAX_OUTPUT_CHARS = 100_000;
/** Lines `Read` returns when no `limit` is given (Claude Code's default). */
export const DEFAULT_READ_LINES = 2000;
/** Characters of one line `Read` and `Grep` show. */
export const MAX_LINE_CHARS = 2000;
/** Bytes of an image `Read` returns (the Messages API takes at most 5 MB base64). */
export const MAX_IMAGE_BYTES = 3_750_000;
/** Paths `Glob` lists. */
export const MAX_GLOB_RESULTS = 1000;
/** Bytes of a file `Grep` searches; larger files are skipped and counted. */
export const MAX_GREP_FILE_BYTES = 10 * 1024 * 1024;

/** `text` cut to `max` characters, with a last line saying how much was left out. */
export function capText(text: string, max = MAX_OUTPUT_CHARS, hint = ''): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[output truncated: ${text.length - max} more characters${hint ? `; ${hint}` : ''}]`;
}

/** One line cut to `MAX_LINE_CHARS`. */
export function capLine(line: string): string {
  return line.length <= MAX_LINE_CHARS
    ? line
    : `${line.slice(0, MAX_LINE_CHARS)}… [line cut at ${MAX_LINE_CHARS} characters]`;
}
