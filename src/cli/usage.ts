/** Mistakes on the command line, each said in one line: commander's errors reworded, unknown commands named. */
import type { CommanderError } from 'commander';
import { ConfigError } from '../errors.js';

/** Commander's error as one line for `baton <command>`: "unknown option '--foo' (see 'baton dispatch --help')". */
export function usageError(error: CommanderError, commandPath: string): ConfigError {
  // "option '--log-level <level>' argument 'loud' is invalid. Allowed choices are debug, info, …."
  const choice = /^error: option '(--[\w-]+)[^']*' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/s.exec(
    error.message,
  );
  if (choice) return new ConfigError(`invalid ${choice[1]}: expected one of ${choice[3]} (got "${choice[2]}")`);
  const text = error.message
    .replace(/^error: /, '')
    // Commander puts its suggestion on a second line: "(Did you mean --status?)". --help is no fix for a typo.
    .replace(/\s*\n\s*\(Did you mean --help\?\)\s*$/s, '')
    .replace(/\s*\n\s*\(Did you mean (.*)\?\)\s*$/s, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
  const hint = text.includes('(did you mean') ? '' : ` (see '${commandPath} --help')`;
  return new ConfigError(`${text}${hint}`, { cause: error });
}

/** "unknown command 'agent' (did you mean agents?)", or the list of commands when nothing is close. */
export function unknownCommand(name: string, commands: readonly string[]): ConfigError {
  const close = commands.filter((c) => distance(name.toLowerCase(), c) <= Math.max(1, Math.floor(c.length / 3)));
  const hint = close.length > 0 ? `did you mean ${close.join(' or ')}?` : `commands: ${commands.join(', ')}`;
  return new ConfigError(`unknown command '${name}' (${hint})`);
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_r, i) =>
    Array.from({ length: b.length + 1 }, (_c, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
