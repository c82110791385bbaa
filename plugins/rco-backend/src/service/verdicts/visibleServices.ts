import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RUNBOOK_ANNOTATION } from '@helix-portal/plugin-rco-common';
import { normalizeEntityRef } from '../../lib/entityRefs';
import { ownersOf } from '../access';
import { ServiceFacts } from './portfolioView';

export type Facts = ServiceFacts & { key: string };

/**
 * How long one caller's list of visible services is reused. The catalog decides what a caller
 * sees; a page of the portfolio asking it again for every one of 10,000 services would cost more
 * than every other part of the request. A change of ownership or visibility shows within this.
 */
const VISIBLE_TTL_MS = 15_000;
/**
 * After the TTL, a list up to this old is still served while a fresh one is read in the
 * background, so no request of a warm portfolio waits for the catalog's full list (seconds at
 * 10,000 services). Visibility changes show within this at worst.
 */
const VISIBLE_STALE_MS = 60_000;
const VISIBLE_CALLERS = 200;

/**
 * The governed services each caller can see, as the catalog answers for their credentials, kept
 * briefly per caller (the portfolio's largest cost otherwise) and never shared between callers.
 */
export class VisibleServices {
  private readonly visible = new Map<
    string,
    {
      at: number;
      facts: Promise<Facts[]>;
      refreshing?: Promise<void>;
    }
  >();

  constructor(private readonly catalog: CatalogService) {}

  async forCaller(credentials: BackstageCredentials): Promise<Facts[]> {
    const p = credentials.principal as any;
    const key = `${p.type}:${p.userEntityRef ?? p.subject ?? ''}`;
    const hit = this.visible.get(key);
    const age = hit ? Date.now() - hit.at : Infinity;
    if (hit && age < VISIBLE_TTL_MS) return hit.facts;
    if (hit && age < VISIBLE_STALE_MS) {
      // Served from the last list while a new one is read (once); it replaces it when read.
      hit.refreshing ??= this.readServices(credentials)
        .then(facts => {
          this.visible.set(key, {
            at: Date.now(),
            facts: Promise.resolve(facts),
          });
        })
        .catch(() => {
          hit.refreshing = undefined;
        });
      return hit.facts;
    }
    const facts = this.readServices(credentials);
    const entry = { at: Date.now(), facts };
    facts.catch(() => {
      if (this.visible.get(key) === entry) this.visible.delete(key);
    });
    // Lists past their stale limit are never served again: dropped, then the oldest if full.
    for (const [k, v] of this.visible)
      if (Date.now() - v.at >= VISIBLE_STALE_MS) this.visible.delete(k);
    if (this.visible.size >= VISIBLE_CALLERS && !hit)
      this.visible.delete(this.visible.keys().next().value!);
    this.visible.set(key, entry);
    return facts;
  }

  private async readServices(
    credentials: BackstageCredentials,
  ): Promise<Facts[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${RUNBOOK_ANNOTATION}`]: CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.owner',
          'relations',
        ],
      },
      { credentials },
    );
    return items.map(e => {
      const entityRef = stringifyEntityRef(e);
      return {
        entityRef,
        key: normalizeEntityRef(entityRef),
        title: e.metadata.title ?? e.metadata.name,
        owners: ownersOf(e),
      };
    });
  }
}
