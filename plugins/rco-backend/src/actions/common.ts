import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { ActionsRegistryActionOptions } from '@backstage/backend-plugin-api/alpha';
import { IMAGE_DIGEST_PATTERN } from '@helix-portal/plugin-rco-common';
import { RcoApiClient } from './RcoApiClient';
import { EntityName, PageLinks } from './links';

/** What every action is built from. */
export interface ActionDeps {
  client: RcoApiClient;
  links: PageLinks;
}

/** The zod the registry hands to schema callbacks (its own copy of zod/v3). */
export type Zod = Parameters<
  ActionsRegistryActionOptions<any, any>['schema']['input']
>[0];
type ZodString = ReturnType<Zod['string']>;

/** The names rco.environments allows (the status route's pattern). */
export const ENVIRONMENT_PATTERN = /^[a-z0-9-]{1,64}$/;

export const entityRefField = (z: Zod): ZodString =>
  z
    .string()
    .min(1)
    .max(300)
    .describe(
      'The catalog entity, kind:namespace/name (component:default/rco); a bare name means component:default/<name>',
    );
export const versionField = (z: Zod): ZodString =>
  z
    .string()
    .min(1)
    .max(128)
    .describe('The release version label (1.5.0); default: the newest release');
export const digestField = (z: Zod): ZodString =>
  z
    .string()
    .regex(IMAGE_DIGEST_PATTERN, 'must be sha256: and 64 lower-case hex digits')
    .describe('The image digest of the release, sha256:<64 hex>');
export const environmentField = (z: Zod): ZodString =>
  z
    .string()
    .regex(ENVIRONMENT_PATTERN, 'must be an environment name (staging)')
    .describe('A configured environment (staging, production)');

/** A release of an entity, as the read actions name it: by version or digest, else the newest. */
export const releaseFields = (
  z: Zod,
): {
  entityRef: ZodString;
  version: ReturnType<ZodString['optional']>;
  digest: ReturnType<ZodString['optional']>;
} => ({
  entityRef: entityRefField(z),
  version: versionField(z).optional(),
  digest: digestField(z).optional(),
});

/** The entity an input names, as the page and the routes spell it. */
export function entityOf(ref: string): EntityName {
  try {
    const parsed = parseEntityRef(ref, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
    return {
      kind: parsed.kind.toLocaleLowerCase('en-US'),
      namespace: parsed.namespace,
      name: parsed.name,
    };
  } catch (error) {
    throw new InputError(
      `Not an entity ref: ${JSON.stringify(ref)} (kind:namespace/name)`,
    );
  }
}
