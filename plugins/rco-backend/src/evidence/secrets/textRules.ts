import { commandSecretRanges } from './commandRules';
import { isSecretName } from './secretNames';

/**
 * Secrets inside free text that have no fixed shape, so the secretlint rules do not know them:
 * the value is only recognisable by the name written beside it. Each rule yields the range of
 * the secret part; the name, the separator and any quotes stay, so the text still reads.
 *
 * - `DB_PASSWORD=hunter2 x` as a whole string (an image config's Env entry: spaces included)
 * - `password=hunter2`, `--db-password=hunter2`, `?token=abc&x=1`, `--set db.password=x,a=b`
 * - `--password hunter2`
 * - `Authorization: Bearer abc`, `password: hunter2`, `{"apiKey": "abc"}`
 * - `Bearer abc…` anywhere, `scheme://user:password@host`, PEM private key blocks
 *
 * The text is an attacker's, so every rule is linear: names are bounded, and a value is read by
 * hand after the (cheap) name matched and was judged secret, with the end of the last unquoted
 * value remembered so that a run of `password:password:…` is not rescanned for each name.
 */

export type Range = [start: number, end: number];

const NAME = String.raw`[A-Za-z_][A-Za-z0-9_.-]{0,63}`;

interface NamedRule {
  /** Matches a name and its separator; the value starts where the match ends. */
  pattern: RegExp;
  /** Characters that end an unquoted value. */
  stop: RegExp;
  /** Whether an unquoted value may not start with `-` (the next flag, not a value). */
  noDash?: boolean;
}

const NAMED_RULES: NamedRule[] = [
  // name=value inside a command line, a query string or a Helm --set list.
  {
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_.])-{0,2}(${NAME})["']?[ \t]*=[ \t]*`,
      'g',
    ),
    stop: /[\s&;,"'<>)]/,
  },
  // --flag value.
  {
    pattern: new RegExp(String.raw`(?<![^\s"'])--?(${NAME})[ \t]+`, 'g'),
    stop: /[\s"']/,
    noDash: true,
  },
  // Header: value, YAML-ish key: value, JSON "key": "value".
  {
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_.-])["']?(${NAME})["']?[ \t]*:(?!//)[ \t]*`,
      'g',
    ),
    stop: /[\n,}\]]/,
  },
];

/** Scans unquoted values, remembering the last one so overlapping scans stay linear. */
class ValueReader {
  private from = -1;
  private to = -1;

  constructor(private readonly text: string, private readonly stop: RegExp) {}

  read(at: number, noDash?: boolean): Range | undefined {
    const { text } = this;
    const first = text[at];
    if (first === undefined || first === '\n') return undefined;
    if (first === '"' || first === "'") {
      const close = text.indexOf(first, at + 1);
      if (close < 0 || text.slice(at + 1, close).includes('\n')) {
        return undefined;
      }
      return close > at + 1 ? [at + 1, close] : undefined;
    }
    if (noDash && first === '-') return undefined;
    if (this.stop.test(first)) return undefined;
    let end: number;
    if (at > this.from && at < this.to) {
      end = this.to;
    } else {
      end = at;
      while (end < text.length && !this.stop.test(text[end])) end++;
      this.from = at;
      this.to = end;
    }
    // A closing quote after an unquoted value belongs to the text around it.
    while (end > at && /[\s"']/.test(text[end - 1])) end--;
    return end > at ? [at, end] : undefined;
  }
}

const REDACTED_ALREADY = /^\*+REDACTED\*+$/;
const NOT_A_VALUE = /^(?:true|false|null|~)$/i;
/** `pass` alone: a count in policy reports, a password in text; judged by its value. */
const PASS = /^pass$/i;
const ENV_ENTRY = new RegExp(String.raw`^\s*(${NAME})=`);
/**
 * Every secret name holds one of these (see secretNames.ts): a text without any cannot have one,
 * and most strings of a scan report (descriptions, paths, versions) are skipped at this cost.
 */
const SECRET_NAME_HINT =
  /pass|pw|secret|token|cred|auth|key|cookie|bearer|jwt|pat/i;

function pemBlocks(text: string, ranges: Range[]) {
  const begin = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
  for (let match = begin.exec(text); match; match = begin.exec(text)) {
    const end = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
    end.lastIndex = match.index + match[0].length;
    const found = end.exec(text);
    // No END: the rest of the text is the key.
    const stop = found ? found.index + found[0].length : text.length;
    ranges.push([match.index, stop]);
    begin.lastIndex = stop;
  }
}

/** The ranges of `text` that the name-based rules find secret. */
export function textSecretRanges(text: string): Range[] {
  const ranges: Range[] = [];
  const push = (range: Range | undefined) => {
    if (range && !REDACTED_ALREADY.test(text.slice(range[0], range[1]))) {
      ranges.push(range);
    }
  };

  // A whole `NAME=value` string: everything after `=` is the value.
  const named = SECRET_NAME_HINT.test(text);
  const env = named ? ENV_ENTRY.exec(text) : null;
  if (env && isSecretName(env[1])) {
    push([env[0].length, text.replace(/\s+$/, '').length]);
  }

  for (const rule of named ? NAMED_RULES : []) {
    const reader = new ValueReader(text, rule.stop);
    rule.pattern.lastIndex = 0;
    for (const match of text.matchAll(rule.pattern)) {
      const pass = PASS.test(match[1]);
      if (!pass && !isSecretName(match[1])) continue;
      const range = reader.read(match.index! + match[0].length, rule.noDash);
      if (!range) continue;
      const value = text.slice(range[0], range[1]);
      // A flag (`automountServiceAccountToken: true`) or an empty value is not a secret, nor
      // is a count under `pass` (a policy report's `pass: 3`); `pass: x` in text is a password.
      if (NOT_A_VALUE.test(value) || (pass && /^\d+$/.test(value))) continue;
      push(range);
    }
  }
  commandSecretRanges(text).forEach(push);

  // An authorization scheme followed by its credential, whatever precedes it.
  for (const match of text.matchAll(
    /\b(?:Bearer|Basic|Digest|Token)[ \t]+([A-Za-z0-9._~+/=-]{8,})/g,
  )) {
    const start = match.index! + match[0].length - match[1].length;
    push([start, start + match[1].length]);
  }
  // The user information of a URL (user:password@, or a bare token@).
  for (const match of text.includes('@')
    ? text.matchAll(/\b[a-z][a-z0-9+.-]{0,31}:\/\/([^\s/?#@"']{1,1024})@/gi)
    : []) {
    const start = match.index! + match[0].length - 1 - match[1].length;
    push([start, start + match[1].length]);
  }
  // A PEM private key block, even one too short or malformed for secretlint to validate.
  if (text.includes('PRIVATE KEY')) pemBlocks(text, ranges);
  return ranges;
}

/** `text` with every range replaced by `replacement`, overlapping ranges merged first. */
export function replaceRanges(
  text: string,
  ranges: Range[],
  replacement: string,
): string {
  if (ranges.length === 0) return text;
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let [start, end] = sorted[0];
  for (const [s, e] of sorted.slice(1)) {
    if (s <= end) {
      end = Math.max(end, e);
    } else {
      out += text.slice(at, start) + replacement;
      at = end;
      [start, end] = [s, e];
    }
  }
  out += text.slice(at, start) + replacement;
  return out + text.slice(end);
}
