import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FourEyesView,
  GateResult,
  PersonView,
  ReleaseStatusResponse,
  Runbook,
} from '@helix-portal/plugin-rco-common';
import { RcoConfig } from '../config';
import { EvidenceRecord } from '../database/EvidenceStore';
import { explainGates } from '../gates/explain';
import { groupsNamed, signoffSteps } from '../gates/nextSteps';
import { SIGNOFF_ROLES } from '../gates/fourEyes';
import { People } from './People';
import { LOOKUP_TTL_MS, TtlCache } from './requestCache';

/**
 * Adds to a judged release what the status route serves beside the verdicts: each gate's
 * condition and next steps, with the people who may sign or waive read from the catalog as the
 * caller sees it (issue 12, point 1). Only the status route calls it: the entity is already
 * one the caller can see (loadEntity), so naming its signers tells them nothing about another.
 */
export class GateExplainer {
  /** Group members per caller: every status request names the same few groups. */
  private readonly members = new TtlCache<PersonView[] | undefined>({
    ttlMs: LOOKUP_TTL_MS,
    maxEntries: 2_000,
  });

  constructor(
    private readonly o: {
      catalog: CatalogService;
      config: RcoConfig;
      /** The configured environments, in rco.environments order. */
      environments: string[];
      /** The backend's external base URL (DiscoveryService.getExternalBaseUrl('rco')). */
      externalBaseUrl: () => Promise<string>;
    },
  ) {}

  async explain(
    entity: Entity,
    judged: {
      status: ReleaseStatusResponse;
      requester?: string;
      runbook?: Runbook;
      evidence: EvidenceRecord[];
    },
    credentials: BackstageCredentials,
    now: Date,
    /** The four-eyes verdict: each role not approved gets its next steps (who may sign). */
    fourEyes: FourEyesView,
  ): Promise<{ gates: GateResult[]; fourEyes: FourEyesView }> {
    const { config } = this.o;
    const { status } = judged;
    const groups = {
      signoffGroups: config.signoffGroups,
      waiverGroup: config.waiverGroup,
    };
    const openRoles = SIGNOFF_ROLES.filter(
      role => fourEyes.roles[role].status !== 'approved',
    );
    const [baseUrl, people] = await Promise.all([
      this.o.externalBaseUrl(),
      new People(this.o.catalog, credentials, this.members).resolve(
        groupsNamed(status.gates, groups, openRoles),
      ),
    ]);
    const ctx = {
      ...groups,
      baseUrl,
      entity: {
        kind: entity.kind,
        namespace: entity.metadata.namespace ?? 'default',
        name: entity.metadata.name,
      },
      entityName: entity.metadata.name,
      release: status.release,
      environments: this.o.environments,
      requester: judged.requester,
      people,
      records: new Map(judged.evidence.map(r => [r.id, r])),
      targets: judged.runbook?.targets,
      runbook: judged.runbook,
      config: config.gates,
      now,
    };
    // The roles an environment requires beyond the dpo-signoff gate (PO, Security in
    // production): the page names their signers from here.
    const roles = { ...fourEyes.roles };
    for (const role of openRoles)
      roles[role] = {
        ...roles[role],
        next: signoffSteps(
          role,
          { status: roles[role].status === 'rejected' ? 'fail' : 'missing' },
          ctx,
        ),
      };
    return {
      gates: explainGates(status.gates, ctx),
      fourEyes: { ...fourEyes, roles },
    };
  }
}
