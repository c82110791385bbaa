import { CliError } from './errors';
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
  return {
    kind: (match[1] ?? 'component').toLocaleLowerCase('en-US'),
    namespace: match[2] ?? 'default',
    name: match[3],
  };
}

export const formatEntityRef = (ref: EntityRef) =>
  `${ref.kind}:${ref.namespace}/${ref.name}`;

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
  if (!/^https?:\/\/[^\s]+$/.test(url)) {
    throw new CliError(
      `The backend URL "${url}" is not an http(s) URL: pass --url or set RCO_URL to something like https://backstage.example.com.`,
    );
  }
  if (!token) {
    throw new CliError(
      'No token: pass --token or set RCO_TOKEN to a Backstage token (a static external-access token for CI, configured in backend.auth.externalAccess and listed in rco.ci.subjects).',
    );
  }
  const retries = Number(options.retries ?? env.RCO_RETRIES ?? 4);
  if (!Number.isInteger(retries) || retries < 0 || retries > 20) {
    throw new CliError('--retries must be a whole number from 0 to 20.');
  }
  return { url, token, retries };
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
