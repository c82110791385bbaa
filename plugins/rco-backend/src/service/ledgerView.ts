import {
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { LedgerVerificationResult } from './LedgerVerifier';

type Problem = LedgerVerificationResult['problems'][number];

/**
 * The entity a problem is about: the row's or entry's entity, else its chain (chains are named
 * by entity ref; '' is the chain of entries without an entity and '*' the record of all heads,
 * which name none).
 */
const entityOf = (p: Problem): string | undefined =>
  p.entityRef ?? (p.chain && p.chain !== '*' ? p.chain : undefined);

/**
 * The verification outcome as one caller may read it. It is about every entity of the portal, so
 * a person sees the problems of the entities the catalog shows them, and those that name no
 * entity; `ok`, the counts and what cannot be detected stay, as they name nothing. Service tokens
 * (CI) have no use for it and read nothing (a token sees only its own entities, and this is
 * not one of them).
 */
/** 404 for anyone but a person: service tokens read no ledger verification, nor start one. */
export function assertPerson(
  credentials: BackstageCredentials,
): asserts credentials is BackstageCredentials<BackstageUserPrincipal> {
  if ((credentials.principal as { type?: string }).type !== 'user') {
    throw new NotFoundError('Ledger verification is read by people');
  }
}

export async function ledgerViewFor(
  result: LedgerVerificationResult,
  credentials: BackstageCredentials,
  catalog: CatalogService,
): Promise<LedgerVerificationResult> {
  assertPerson(credentials);
  const user = credentials;
  const refs = [
    ...new Set(result.problems.map(entityOf).filter(Boolean)),
  ] as string[];
  const seen = new Set<string>();
  await Promise.all(
    refs.map(async ref => {
      const entity = await catalog
        .getEntityByRef(ref, { credentials: user })
        .catch(() => undefined);
      if (entity) seen.add(ref);
    }),
  );
  return {
    ...result,
    problems: result.problems.filter(p => {
      const ref = entityOf(p);
      return !ref || seen.has(ref);
    }),
  };
}
