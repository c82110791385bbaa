/**
 * Whether a field, variable, flag or header name says that its value is a secret
 * (`password`, `DB_PASSWORD`, `--api-key`, `clientSecret`, `Authorization`, …).
 *
 * Names are split into words (snake, kebab, dotted and camelCase) so that `passed`, `author` or
 * `bypass` are not mistaken for `pass` or `auth`; glued names (`dbpassword`, `githubtoken`) are
 * caught by the longer words alone. A name whose last word says it only points at a secret
 * (`secretName`, `secretKeyRef`, `tokenPath`) is not a secret itself.
 */

/** Words that make any name secret, on their own. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'pw',
  'secret',
  'secrets',
  'token',
  'tokens',
  'credential',
  'credentials',
  'creds',
  'auth',
  'authorization',
  'apikey',
  'privatekey',
  'accesskey',
  'secretkey',
  'cookie',
  'bearer',
  // A personal access token (GITHUB_PAT, GITLAB_PAT).
  'pat',
]);

/** Two adjacent words that make a name secret (`api_key`, `private-key`, `AccessKey`). */
const SECRET_PAIRS = new Set([
  'apikey',
  'privatekey',
  'accesskey',
  'secretkey',
  'sessionkey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'clientsecret',
  'jwtkey',
  'sshkey',
  'hmackey',
  'tlskey',
  'deploykey',
  'licensekey',
]);

/** Long enough to be unambiguous inside a glued name. */
const GLUED =
  /password|passwd|passphrase|secret|token|apikey|privatekey|accesskey|credential|jwtkey/;

/** Last words of names that refer to a secret without holding it. */
const REFERENCE_WORDS = new Set([
  'name',
  'names',
  'ref',
  'refs',
  'keyref',
  'path',
  'file',
  'dir',
  'type',
  'kind',
  'method',
  'mode',
  'provider',
  'enabled',
  'count',
  'length',
  'ttl',
]);

/** The lower-case words of a name: `DB_PASSWORD` → db, password; `clientSecret` → client, secret. */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretName(name: string): boolean {
  const words = wordsOf(name);
  if (words.length === 0 || words.length > 12) return false;
  if (REFERENCE_WORDS.has(words[words.length - 1]) && words.length > 1) {
    return false;
  }
  // A JSON Web Token on its own (`JWT=eyJ…`); `jwt_issuer` is not one.
  if (words.length === 1 && words[0] === 'jwt') return true;
  for (let i = 0; i < words.length; i++) {
    if (SECRET_WORDS.has(words[i])) return true;
    // `pass` alone is a count in policy reports (summary.pass); beside another word it is a password.
    if (words[i] === 'pass' && words.length > 1) return true;
    if (i > 0 && SECRET_PAIRS.has(words[i - 1] + words[i])) return true;
  }
  return GLUED.test(words.join(''));
}
