import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PersonView } from '@helix-portal/plugin-rco-common';
import { cachedForCaller, TtlCache } from './requestCache';

/** The most people one step names (a group of hundreds helps nobody pick a signer). */
const MAX_PEOPLE = 25;

const personView = (user: Entity): PersonView => {
  const profile = (user.spec?.profile ?? {}) as { displayName?: unknown };
  const name =
    typeof profile.displayName === 'string' && profile.displayName.trim()
      ? profile.displayName
      : user.metadata.title ?? user.metadata.name;
  return { ref: stringifyEntityRef(user), name };
};

/**
 * Who is in a configured group, as the caller may see it in the catalog: the next steps name
 * signers and waivers by name (issue 12, point 1). The catalog is asked with the caller's own
 * credentials, so a person who cannot see the group, or some of its users, does not learn them
 * here; a service principal (a CI token) is told no names at all. Membership is the catalog's
 * memberOf relation, as the permission policy reads a user's groups, never the entity's own
 * annotations. One instance lives for one request (its cache is that request's).
 */
export class People {
  private readonly cache = new Map<string, Promise<PersonView[] | undefined>>();

  constructor(
    private readonly catalog: CatalogService,
    private readonly credentials: BackstageCredentials,
    /** Shared with the same caller's next requests for a few seconds (see requestCache). */
    private readonly shared?: TtlCache<PersonView[] | undefined>,
  ) {}

  /** Members of a group (or the user a setting names), undefined when the caller cannot see it. */
  members(ref: string): Promise<PersonView[] | undefined> {
    const key = ref.toLowerCase();
    let hit = this.cache.get(key);
    if (!hit) {
      hit = (
        this.shared
          ? cachedForCaller(
              this.shared,
              { scope: this, credentials: this.credentials },
              `members|${key}`,
              () => this.read(ref),
            )
          : this.read(ref)
      ).catch(() => undefined);
      this.cache.set(key, hit);
    }
    return hit;
  }

  private async read(ref: string): Promise<PersonView[] | undefined> {
    // A service principal (a CI token) is told no names: pipelines upload, people decide.
    if ((this.credentials.principal as { type?: string }).type !== 'user')
      return undefined;
    const options = { credentials: this.credentials };
    const entity = await this.catalog.getEntityByRef(ref, options);
    if (!entity) return undefined;
    if (entity.kind.toLowerCase() === 'user') return [personView(entity)];
    if (entity.kind.toLowerCase() !== 'group') return undefined;
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          kind: 'User',
          'relations.memberOf': stringifyEntityRef(entity),
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.profile.displayName',
        ],
        limit: MAX_PEOPLE,
      } as any,
      options,
    );
    return items.map(personView).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Reads every group once, then answers synchronously (for the pure next-steps function). */
  async resolve(
    refs: string[],
  ): Promise<(ref: string) => PersonView[] | undefined> {
    const found = new Map<string, PersonView[] | undefined>();
    await Promise.all(
      refs.map(async ref =>
        found.set(ref.toLowerCase(), await this.members(ref)),
      ),
    );
    return ref => found.get(ref.toLowerCase());
  }
}
