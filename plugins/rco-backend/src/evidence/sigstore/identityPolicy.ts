import { InputError } from '@backstage/errors';

/**
 * Who may sign an entity's images: the OIDC issuer Fulcio wrote into the certificate and a
 * pattern its subject (SAN: a workflow URI, an email) must match whole. From configuration only
 * (rco.sigstore.identities), never from the entity's annotations: whoever may edit a
 * catalog-info.yaml must not be able to name the signer the console accepts.
 */
export interface IdentityRule {
  /** The entity it is for (lower-cased ref); undefined: the default for every entity without one. */
  entity?: string;
  issuer: string;
  /** Anchored: the whole subject must match. */
  subject: RegExp;
  /** As configured, for the reasons the page shows. */
  subjectPattern: string;
}

/** A public key a key-based bundle (cosign sign --key) may be signed with, per entity. */
export interface PublicKeyRule {
  entity?: string;
  /** The bundle's `publicKey.hint` that selects it; any hint when absent. */
  hint?: string;
  pem: string;
}

export interface SigstorePolicies {
  identities: IdentityRule[];
  publicKeys: PublicKeyRule[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * A glob (`*` any run of characters, `?` one) or, given as `/…/`, a regular expression; either
 * way anchored, so `https://github.com/helix/rco/*` cannot match a subject that merely contains it.
 */
export function subjectPattern(pattern: string, where: string): RegExp {
  const regex = /^\/(.+)\/$/.exec(pattern);
  try {
    return regex
      ? new RegExp(`^(?:${regex[1]})$`)
      : new RegExp(
          `^${pattern
            .split('')
            .map(c => {
              if (c === '*') return '.*';
              if (c === '?') return '.';
              return escape(c);
            })
            .join('')}$`,
        );
  } catch (error) {
    throw new InputError(
      `${where}: "${pattern}" is not a valid pattern: ${
        (error as Error).message
      }`,
    );
  }
}

/** The rules for one entity: its own when any are configured, else the default ones. */
export function rulesFor<T extends { entity?: string }>(
  rules: T[],
  entityRef: string,
): T[] {
  const ref = entityRef.toLocaleLowerCase('en-US');
  const own = rules.filter(r => r.entity === ref);
  return own.length ? own : rules.filter(r => r.entity === undefined);
}

/** Whether a verified certificate identity is one the entity's rules allow, and why not. */
export function matchIdentity(
  rules: IdentityRule[],
  identity: { issuer?: string; subject?: string },
  entityRef: string,
): { ok: true } | { ok: false; reason: string } {
  if (!rules.length)
    return {
      ok: false,
      reason: `no signer identity is configured for ${entityRef} (rco.sigstore.identities)`,
    };
  if (
    rules.some(
      r =>
        r.issuer === identity.issuer &&
        identity.subject !== undefined &&
        r.subject.test(identity.subject),
    )
  )
    return { ok: true };
  const allowed = rules
    .map(r => `${r.subjectPattern} from ${r.issuer}`)
    .join('; or ');
  return {
    ok: false,
    reason: `signed by ${identity.subject ?? 'no subject'} (issuer ${
      identity.issuer ?? 'none'
    }), not an identity ${entityRef} allows (${allowed})`,
  };
}
