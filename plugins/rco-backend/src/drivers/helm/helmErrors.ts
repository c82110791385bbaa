/**
 * Turning helm's stderr into something safe and meaningful: secrets masked, the error line picked
 * out of warnings, and the failure classified by the messages Helm actually prints.
 */

const MASK = '***';
/** Value strings shorter than this are things like `"true"` or `"80"`: masking them garbles text. */
const MIN_VALUE_SECRET_LENGTH = 8;
/** Longest error text echoed into a reason. */
const MAX_ERROR_CHARS = 600;

/** Token-like text helm or a plugin might echo: JWTs, bearer headers, `password: …` pairs. */
const TOKEN_PATTERNS: Array<[RegExp, string]> = [
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, MASK],
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${MASK}`],
  // Case-sensitive on purpose: `kind Secret: Unauthorized` is a Kubernetes kind, not a pair.
  [
    /\b((?:[\w.-]*(?:token|password|passwd|secret|api[_-]?key|authorization|credentials?)|[\w.-]+(?:Token|Password|Secret|ApiKey|Credentials?))["']?\s*[:=]\s*["']?)[^\s"',;})\]]+/g,
    `$1${MASK}`,
  ],
];

/** String leaves of a values tree, walked without recursion. */
function stringLeaves(value: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (typeof node === 'string') out.push(node);
    else if (node && typeof node === 'object')
      stack.push(...Object.values(node));
  }
  return out;
}

/**
 * Masks the secrets of one helm call (the cluster token, the strings of the values) and anything
 * token-like in text before it is returned or logged.
 */
export class SecretMasker {
  private readonly secrets: string[];

  constructor(options: { token?: string; values?: unknown }) {
    const secrets = new Set<string>();
    if (options.token) secrets.add(options.token);
    for (const leaf of stringLeaves(options.values)) {
      if (leaf.length >= MIN_VALUE_SECRET_LENGTH) secrets.add(leaf);
    }
    // Longest first, so a secret containing another is masked whole.
    this.secrets = [...secrets].sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(MASK);
    for (const [pattern, replacement] of TOKEN_PATTERNS) {
      out = out.replace(pattern, replacement);
    }
    return out;
  }
}

/** What kind of failure helm reported. */
export type HelmFailureKind =
  | 'not-found'
  | 'locked'
  | 'atomic-rolled-back'
  | 'atomic-uninstalled'
  | 'timeout'
  | 'other';

/** A classified helm failure; `error` and `cause` are already masked. */
export interface HelmFailure {
  kind: HelmFailureKind;
  /** Helm's error text without the `Error: ` prefix (masked, shortened). */
  error: string;
  /** For atomic failures: why the upgrade or install failed before helm undid it. */
  cause?: string;
}

/**
 * The error helm printed: its last `Error:` line (helm prints warnings and progress first), or the
 * last non-empty line when there is none.
 */
export function errorText(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(Boolean);
  const errorLine = [...lines].reverse().find(l => /^Error:/.test(l));
  // `UPGRADE FAILED:` / `INSTALLATION FAILED:` repeat what the caller already says.
  const text = (errorLine ?? lines[lines.length - 1] ?? '')
    .replace(/^Error:\s*/, '')
    .replace(/^(?:UPGRADE|INSTALLATION) FAILED:\s*/, '');
  return text.length > MAX_ERROR_CHARS
    ? `${text.slice(0, MAX_ERROR_CHARS)}…`
    : text;
}

/**
 * Classifies helm's stderr by the messages of Helm 3 and 4:
 * - `release: not found`;
 * - `another operation (install/upgrade/rollback) is in progress` (a pending-* revision holds
 *   the release);
 * - `release foo failed, and has been rolled back due to atomic being set: <cause>` (Helm 4 names
 *   the flag `rollback-on-failure`), and the install variant `has been uninstalled due to …`;
 * - `timed out waiting for the condition` / `context deadline exceeded`.
 */
export function classifyHelmError(
  stderr: string,
  masker: SecretMasker,
): HelmFailure {
  const error = masker.mask(errorText(stderr));
  const rolledBack =
    /has been rolled back due to [\w-]+ being set:?\s*(.*)$/i.exec(error);
  if (rolledBack) {
    return {
      kind: 'atomic-rolled-back',
      error,
      cause: rolledBack[1] || undefined,
    };
  }
  const uninstalled =
    /has been uninstalled due to [\w-]+ being set:?\s*(.*)$/i.exec(error);
  if (uninstalled) {
    return {
      kind: 'atomic-uninstalled',
      error,
      cause: uninstalled[1] || undefined,
    };
  }
  if (
    /another operation \(install\/upgrade\/rollback\) is in progress/i.test(
      error,
    )
  ) {
    return { kind: 'locked', error };
  }
  if (/\brelease: not found\b/i.test(error))
    return { kind: 'not-found', error };
  if (
    /timed out waiting for the condition|context deadline exceeded/i.test(error)
  ) {
    return { kind: 'timeout', error };
  }
  return { kind: 'other', error };
}
