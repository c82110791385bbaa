import { IMAGE_DIGEST_PATTERN } from '@helix-portal/plugin-rco-common';
import { CliError, oneLine } from './errors';
import { parseDuration } from './duration';

/** The options every command that talks to the backend takes. */
export interface GlobalOptions {
  url?: string;
  token?: string;
  retries?: string;
}

export interface EntityRef {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * `kind:namespace/name`; the kind defaults to component and the namespace to default, as in
 * the catalog (`rco` is `component:default/rco`). There is no default entity: evidence filed
 * under the wrong service would count for it.
 */
export function parseEntityRef(text: string | undefined): EntityRef {
  if (text === undefined || text.trim() === '') {
    throw new CliError(
      'No entity: pass --entity kind:namespace/name (for example component:default/rco), or set RCO_ENTITY.',
    );
  }
  const ref = text.trim();
  const match = /^(?:([^:/\s]+):)?(?:([^:/\s]+)\/)?([^:/\s]+)$/.exec(ref);
  if (!match) {
    throw new CliError(
      `--entity "${ref}" is not an entity ref: write kind:namespace/name, for example component:default/rco.`,
    );
  }
  if ([match[1], match[2], match[3]].some(p => p === '.' || p === '..')) {
    throw new CliError(
      `--entity "${ref}" is not an entity ref: a kind, namespace or name cannot be "." or "..".`,
    );
  }
  return {
    kind: (match[1] ?? 'component').toLocaleLowerCase('en-US'),
    namespace: match[2] ?? 'default',
    name: match[3],
  };
}

/** `--digest`, checked before anything is asked: a wrong one would judge another release. */
export function digestOption(
  value: string | undefined,
  required: boolean,
): string | undefined {
  if (value === undefined) {
    if (!required) return undefined;
    throw new CliError(
      '--digest is required: name the image the gates are for, as sha256:<64 hex digits> (for example from docker buildx --metadata-file or crane digest).',
    );
  }
  if (!IMAGE_DIGEST_PATTERN.test(value)) {
    throw new CliError(
      `--digest "${oneLine(
        value.slice(0, 80),
      )}" is not an image digest: write sha256: followed by 64 lowercase hex digits.`,
    );
  }
  return value;
}

export const formatEntityRef = (ref: EntityRef) =>
  `${ref.kind}:${ref.namespace}/${ref.name}`;

/**
 * The backend base URL as the CLI uses and prints it: origin and path only. The URL as given is
 * never quoted back, because it may hold what must not reach a CI log: credentials
 * (`https://user:pass@host`, which fetch refuses anyway) or a query carrying a key.
 */
export function backendUrl(text: string): string {
  let parsed: URL | undefined;
  try {
    parsed = /^https?:\/\//i.test(text) ? new URL(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new CliError(
      'The backend URL (--url or RCO_URL) is not an http(s) URL: set it to something like https://backstage.example.com.',
    );
  }
  if (parsed.username || parsed.password) {
    throw new CliError(
      'The backend URL carries a user name or password (user:password@host): remove them from --url (or RCO_URL). The CLI authenticates with --token (or RCO_TOKEN) only.',
    );
  }
  if (parsed.search || parsed.hash || /[?#]/.test(text)) {
    throw new CliError(
      'The backend URL (--url or RCO_URL) has a query or a fragment (?… or #…): give the Backstage backend base URL only, like https://backstage.example.com.',
    );
  }
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

/** The backend URL and token from the flags, else RCO_URL and RCO_TOKEN. */
export function connection(
  options: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
) {
  const url = (options.url ?? env.RCO_URL ?? '').trim();
  const token = (options.token ?? env.RCO_TOKEN ?? '').trim();
  if (!url) {
    throw new CliError(
      'No backend URL: pass --url or set RCO_URL to the Backstage backend base URL (for example https://backstage.example.com).',
    );
  }
  const base = backendUrl(url);
  if (!token) {
    throw new CliError(
      'No token: pass --token or set RCO_TOKEN to a Backstage token (a static external-access token for CI, configured in backend.auth.externalAccess and listed in rco.ci.subjects).',
    );
  }
  // fetch cannot send a header with a line break or a character beyond Latin-1: say so here,
  // rather than fail every attempt as an unknown network error. The token is never quoted.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/.test(token)) {
    throw new CliError(
      'The token contains a line break, a control character or a character outside Latin-1: check that --token (or RCO_TOKEN) holds only the token, copied whole, without quotes or line breaks.',
    );
  }
  // An empty RCO_RETRIES (a CI variable defined but not set) means the default.
  const retriesText = options.retries ?? (env.RCO_RETRIES || undefined);
  const retries = Number(retriesText ?? 4);
  if (!Number.isInteger(retries) || retries < 0 || retries > 20) {
    throw new CliError('--retries must be a whole number from 0 to 20.');
  }
  return { url: base, token, retries };
}

/** A duration option, or a sentence naming the option. */
export function durationOption(
  name: string,
  value: string | undefined,
  fallback?: number,
): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new CliError(`${name} is required (for example 10m).`);
  }
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new CliError(
      `${name} "${value}" is not a duration: write 90s, 10m, 1h or ISO 8601 like PT10M.`,
    );
  }
  return ms;
}
