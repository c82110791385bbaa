/**
 * Alertmanager's label matchers, read as Alertmanager 0.25 reads them (pkg/labels/parse.go and
 * matcher.go): `match` is equality, `match_re` an anchored regular expression, and each
 * `matchers` entry a list such as `severity=~"critical|page", team!="db"`. A label the alert does
 * not have matches as the empty string. The routing test (routing.amtool.test.ts) holds this to
 * the real `amtool config routes test`.
 */
import { RE2JS } from 're2js';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
  /** For =~ and !~: the anchored expression. */
  re?: AnchoredRegExp;
}

/** A compiled RE2 expression: whether a whole label value matches. */
export interface AnchoredRegExp {
  source: string;
  test(value: string): boolean;
}

/** A routing configuration the console cannot read; its message names the problem, never a secret. */
export class RoutingConfigError extends Error {}

const MATCHER =
  /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/**
 * Go's RE2, anchored as Alertmanager anchors it (`^(?:…)$`), evaluated by re2js (a port of
 * RE2/J): POSIX classes, `\pL`, `\z`, `\Q…\E` and inline flag groups such as `(?i:…)` mean what
 * they mean to Alertmanager, and no expression can backtrack for ever on a label value.
 */
export function anchoredRegExp(source: string): AnchoredRegExp {
  try {
    const re = RE2JS.compile(`^(?:${source})$`);
    return { source, test: value => re.matches(value) };
  } catch {
    throw new RoutingConfigError(
      `a regular expression the console cannot read: ${JSON.stringify(source)}`,
    );
  }
}

export function newMatcher(
  name: string,
  type: MatchType,
  value: string,
): Matcher {
  return type === '=~' || type === '!~'
    ? { name, type, value, re: anchoredRegExp(value) }
    : { name, type, value };
}

/** The value part of one matcher: quotes removed, `\"`, `\\` and `\n` unescaped. */
function unescape(raw: string, whole: string): string {
  let text = raw;
  let expectQuote = false;
  if (text.startsWith('"')) {
    text = text.slice(1);
    expectQuote = true;
  }
  let out = '';
  let escaped = false;
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escaped) {
      escaped = false;
      if (c === 'n') out += '\n';
      else if (c === '"' || c === '\\') out += c;
      else out += `\\${c}`; // a spurious escape stays literal
      continue;
    }
    if (c === '\\') {
      if (i < chars.length - 1) escaped = true;
      else out += '\\';
    } else if (c === '"') {
      if (!expectQuote || i < chars.length - 1)
        throw new RoutingConfigError(
          `matcher value contains an unescaped double quote: ${whole}`,
        );
      expectQuote = false;
    } else out += c;
  }
  if (expectQuote)
    throw new RoutingConfigError(
      `matcher value lacks its closing quote: ${whole}`,
    );
  return out;
}

/** One `matchers` entry, which may hold several comma-separated matchers, with or without braces. */
export function parseMatchers(text: string): Matcher[] {
  const s = text.replace(/^\{/, '').replace(/\}$/, '');
  const tokens: string[] = [];
  let token = '';
  let quoted = false;
  let escaped = false;
  for (const c of s) {
    if (c === ',' && !quoted) {
      tokens.push(token);
      token = '';
      continue;
    }
    if (c === '"') {
      if (!escaped) quoted = !quoted;
      else escaped = false;
    } else if (c === '\\') escaped = !escaped;
    else escaped = false;
    token += c;
  }
  if (token.trim() !== '') tokens.push(token.trim());
  return tokens.map(t => {
    const m = MATCHER.exec(t);
    if (!m) throw new RoutingConfigError(`bad matcher format: ${t}`);
    return newMatcher(m[1], m[2] as MatchType, unescape(m[3], m[3]));
  });
}

export function matches(
  matcher: Matcher,
  labels: Record<string, string>,
): boolean {
  const value = labels[matcher.name] ?? '';
  switch (matcher.type) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return matcher.re!.test(value);
    default:
      return !matcher.re!.test(value);
  }
}
