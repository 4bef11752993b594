/**
 * A word on the command line that no command or option takes, worded for what the user most likely
 * meant: a mistyped command (`rexi-live tial`) or a value split in two (`--duration 10 minutes`).
 * Commander's own message ("too many arguments for 'tail'. Expected 0 arguments but got 1.") names
 * neither. Pure: main.ts hands it the words and the options of the command that got them.
 */

/** What stray-argument needs to know of a commander option. */
export interface OptionShape {
  long?: string | undefined;
  short?: string | undefined;
  /** Takes a value (`<dur>`), not a switch. */
  required: boolean;
  flags: string;
}

/** An example value per placeholder, so the message shows the one-word form. */
const EXAMPLES: Readonly<Record<string, string>> = {
  dur: '10m',
  'dur|time': '1h',
  n: '5',
  size: '1MiB',
  'msgs/s': '20',
  x: '10',
  '0..1': '0.05',
  'name-or-id': '"Gem Hunters"',
};

/**
 * The message for `word`, the first argument the command does not take. `words` are the user's
 * arguments (after the program name); `explicitCommand` whether the command was named (`tail`),
 * not reached as the default one.
 */
export function strayArgumentMessage(
  word: string,
  words: readonly string[],
  options: readonly OptionShape[],
  commandNames: readonly string[],
  explicitCommand: boolean,
  command: string,
): string {
  const at = words.indexOf(word);
  if (at === 0 && !explicitCommand) {
    const close = suggest(word, commandNames);
    return close !== undefined ? `unknown command '${word}' (did you mean ${close}?)` : `unknown command '${word}' (commands: ${commandNames.join(', ')})`;
  }
  const option = at > 0 ? valueOptionBefore(words, at, options) : undefined;
  if (option !== undefined) {
    const name = option.long ?? option.short!;
    const placeholder = /<([^>]+)>/.exec(option.flags)?.[1] ?? '';
    const example = EXAMPLES[placeholder];
    const hints = [`${name} takes one value${example !== undefined ? `, e.g. ${example}` : ''}`];
    // A name with a space is one value once quoted; more names are the flag repeated.
    if (placeholder === 'name-or-id') hints.push('quote a value with spaces, repeat the flag for more');
    return `unexpected argument '${word}' (${hints.join('; ')})`;
  }
  const takes = command === 'replay' ? 'one argument: a file, - or a nats:// URL' : 'no arguments';
  return `unexpected argument '${word}' (${command} takes ${takes})`;
}

/** The option whose value is the word just before `at` (`--duration 10 minutes`, `--duration=10 minutes`). */
function valueOptionBefore(words: readonly string[], at: number, options: readonly OptionShape[]): OptionShape | undefined {
  const find = (flag: string): OptionShape | undefined => options.find((o) => o.required && (o.long === flag || o.short === flag));
  const previous = words[at - 1]!;
  const inline = /^(--[^=]+)=/.exec(previous);
  if (inline) return find(inline[1]!);
  return at >= 2 ? find(words[at - 2]!) : undefined;
}

/** The closest name within an edit distance of 2 (and less than half the word), if any. */
export function suggest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = distance(word.toLowerCase(), name);
    if (d < bestDistance && d <= 2 && d < Math.max(name.length, word.length) / 2) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Damerau–Levenshtein (optimal string alignment): a swapped pair of letters (`tial`) costs 1. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
