import type { Range } from './textRules';

/**
 * Passwords that command lines take without a name beside them, so the name rules (textRules)
 * cannot see them: `mysql -uroot -phunter2`, `sshpass -p hunter2`, `docker login -p hunter2`,
 * `htpasswd -b file user hunter2`, `curl -u admin:hunter2`. They hide in image history
 * (`created_by`), container `args` and `command`, Helm notes.
 *
 * One rule over tokens serves both shapes: a command line in a string (tokens split at
 * whitespace) and an argument array (`["mysql", "-p", "hunter2"]`, one token per element). The
 * scan is a single pass over the tokens.
 */

/** Where a token's secret starts: the whole token, or after `-p` or `user:`. */
export interface TokenSecret {
  index: number;
  from: number;
}

/** Commands whose `-p` is the password (glued `-pX` or as the next argument). */
const P_IS_PASSWORD = new Set([
  'mysql',
  'mysqldump',
  'mysqladmin',
  'mysqlimport',
  'mysqlcheck',
  'mysqlshow',
  'mysqlpump',
  'mysqlsh',
  'mariadb',
  'mariadb-dump',
  'mariadb-admin',
  'mariadb-import',
  'mariadb-check',
  'mariadb-show',
  'sshpass',
]);
/** Commands whose `-u user:password` (or `--user`) carries the password after the colon. */
const USER_COLON_PASSWORD = new Set(['curl']);
const USER_FLAGS = new Set(['-u', '--user', '-U', '--proxy-user']);
const SEPARATOR = /^(?:&&|\|\||\||;|&)$/;
/** Cheap test that a text may hold one of these commands at all. */
export const COMMAND_HINT = /mysql|mariadb|sshpass|htpasswd|curl|login/i;

const baseName = (token: string) => token.slice(token.lastIndexOf('/') + 1);

export function commandSecretTokens(tokens: string[]): TokenSecret[] {
  const found: TokenSecret[] = [];
  let command = '';
  let login = false;
  // htpasswd: -b puts the password on the command line, after the file (unless -n) and user.
  let batch = false;
  let noFile = false;
  let positionals = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (SEPARATOR.test(token)) {
      command = '';
      login = false;
      continue;
    }
    const base = baseName(token);
    // A path names a new command only where none is running: `htpasswd -b /etc/htpasswd …`.
    if (
      (command === '' || !token.includes('/')) &&
      (P_IS_PASSWORD.has(base) ||
        USER_COLON_PASSWORD.has(base) ||
        base === 'htpasswd')
    ) {
      command = base;
      login = false;
      batch = false;
      noFile = false;
      positionals = 0;
      continue;
    }
    if (token === 'login') {
      login = true;
      continue;
    }
    const next = tokens[i + 1];
    const nextIsValue =
      next !== undefined &&
      next !== '' &&
      !next.startsWith('-') &&
      !SEPARATOR.test(next);
    if (P_IS_PASSWORD.has(command) || login) {
      if (token === '-p' && nextIsValue) {
        found.push({ index: i + 1, from: 0 });
        i++;
        continue;
      }
      if (/^-p[^-]/.test(token)) {
        found.push({ index: i, from: 2 });
        continue;
      }
    }
    if (USER_COLON_PASSWORD.has(command)) {
      if (USER_FLAGS.has(token) && nextIsValue) {
        const colon = next.indexOf(':');
        if (colon >= 0 && colon < next.length - 1)
          found.push({ index: i + 1, from: colon + 1 });
        i++;
        continue;
      }
      // -uadmin:pw, --user=admin:pw
      const glued = /^(?:-[uU]|--(?:proxy-)?user=)[^:]*:./.exec(token);
      if (glued) found.push({ index: i, from: token.indexOf(':') + 1 });
    }
    if (command === 'htpasswd') {
      if (/^-[A-Za-z]+$/.test(token)) {
        batch ||= token.includes('b');
        noFile ||= token.includes('n');
      } else if (batch && positionals++ === (noFile ? 1 : 2)) {
        found.push({ index: i, from: 0 });
      }
    }
  }
  return found;
}

/** Quotes and shell punctuation around a word, not part of it. */
const LEADING = /^["'`$(]+/;
const TRAILING = /["'`);]+$/;

/** The ranges of `text` that hold a command-line password (see {@link commandSecretTokens}). */
export function commandSecretRanges(text: string): Range[] {
  if (!COMMAND_HINT.test(text)) return [];
  const starts: number[] = [];
  const tokens: string[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const word = match[0];
    const lead = LEADING.exec(word)?.[0].length ?? 0;
    const inner = word.slice(lead).replace(TRAILING, '');
    starts.push(match.index! + lead);
    tokens.push(inner);
    // `cmd;` ends the command like `;` does.
    if (/;["'`)]*$/.test(word)) {
      starts.push(match.index! + word.length);
      tokens.push(';');
    }
  }
  return commandSecretTokens(tokens)
    .filter(({ index, from }) => tokens[index].length > from)
    .map(({ index, from }) => [
      starts[index] + from,
      starts[index] + tokens[index].length,
    ]);
}
