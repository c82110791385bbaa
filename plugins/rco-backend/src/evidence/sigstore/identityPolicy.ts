import { InputError } from '@backstage/errors';
import { RE2JS } from 're2js';

/** A compiled subject pattern: whole-subject match, in time linear in the subject (RE2). */
export interface SubjectMatcher {
  test(subject: string): boolean;
}

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
  subject: SubjectMatcher;
  /** As configured, for the reasons the page shows. */
  subjectPattern: string;
}

/** A public key a key-based bundle (cosign sign --key) may be signed with, per entity. */
export interface PublicKeyRule {
  entity?: string;
  /** The bundle's `publicKey.hint` that selects it; any hint when absent. */
  hint?: string;
  /** What the page calls it: the configured name, else the hint, else the key's fingerprint. */
  name: string;
  pem: string;
}

export interface SigstorePolicies {
  identities: IdentityRule[];
  publicKeys: PublicKeyRule[];
}

/**
 * A glob or, given as `/…/`, an RE2 regular expression (Go's syntax, as cosign's
 * --certificate-identity-regexp); either way anchored, so `https://github.com/helix/rco/*` cannot
 * match a subject that merely contains it.
 *
 * Glob: `*` is any run of characters within one part of the subject, stopping at `/` and `@`
 * (as minimatch's and picomatch's `*` stop at `/`), `**` any run across them, `?` one character
 * other than `/` and `@`. So `…/workflows/release.yml@refs/heads/*` allows any branch without a
 * slash, and `https://github.com/helix/rco/*` no longer allows every workflow at every ref. A
 * library glob is not used: they treat the subject as a file path (leading dots, `@(…)` and
 * `{a,b}` have meanings there that an identity URI must not get).
 *
 * Both compile to RE2 (re2js): matching is linear in the subject, which a signer chooses, so no
 * configured pattern can be made to backtrack catastrophically; RE2 refuses what it cannot run
 * linearly (backreferences, lookaround), at startup.
 */
export function subjectPattern(pattern: string, where: string): SubjectMatcher {
  const regex = /^\/(.+)\/$/.exec(pattern);
  const source = regex
    ? regex[1]
    : pattern
        .split(/(\*\*|\*|\?)/)
        .map(part => {
          if (part === '**') return '.*';
          if (part === '*') return '[^/@]*';
          if (part === '?') return '[^/@]';
          return RE2JS.quote(part);
        })
        .join('');
  try {
    const compiled = RE2JS.compile(`^(?:${source})$`);
    return { test: subject => compiled.matches(subject) };
  } catch (error) {
    throw new InputError(
      `${where}: "${pattern}" is not a valid pattern: ${
        (error as Error).message
      }`,
    );
  }
}

/**
 * The signing policy for one entity: its own identities and keys when it has any of either,
 * else the defaults (entries without `entity`). They fall back together: an entity with its own
 * strict signer identity must not accept bundles signed with the default keys.
 */
export function policyFor(
  policies: SigstorePolicies,
  entityRef: string,
): SigstorePolicies & { own: boolean } {
  const ref = entityRef.toLocaleLowerCase('en-US');
  const mine = <T extends { entity?: string }>(rules: T[]) =>
    rules.filter(r => r.entity === ref);
  const own = {
    identities: mine(policies.identities),
    publicKeys: mine(policies.publicKeys),
  };
  if (own.identities.length || own.publicKeys.length)
    return { ...own, own: true };
  const byDefault = <T extends { entity?: string }>(rules: T[]) =>
    rules.filter(r => r.entity === undefined);
  return {
    identities: byDefault(policies.identities),
    publicKeys: byDefault(policies.publicKeys),
    own: false,
  };
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
