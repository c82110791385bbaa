import { createApiRef } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CapabilitiesResponse,
  EvidenceRecordView,
  PortfolioItem,
  ReleasesResponse,
  ReleaseStatusResponse,
  SignoffView,
  WaiverView,
  RunbookDiffResponse,
  RunbookRefreshResponse,
  RunbookVersionResponse,
  RunbookVersionSummary,
} from '@internal/plugin-rco-common';

/**
 * Client of the rco backend.
 *
 * @public
 */
export interface RcoApi {
  getCurrentRunbook(entity: CompoundEntityRef): Promise<RunbookVersionResponse>;
  listRunbookVersions(
    entity: CompoundEntityRef,
  ): Promise<RunbookVersionSummary[]>;
  getRunbookVersion(
    entity: CompoundEntityRef,
    version: string,
  ): Promise<RunbookVersionResponse>;
  diffRunbookVersions(
    entity: CompoundEntityRef,
    from: string,
    to: string,
  ): Promise<RunbookDiffResponse>;
  refreshRunbook(entity: CompoundEntityRef): Promise<RunbookRefreshResponse>;
  getStatus(
    entity: CompoundEntityRef,
    release: { version?: string; digest?: string; environment?: string },
  ): Promise<ReleaseStatusResponse>;
  listReleases(entity: CompoundEntityRef): Promise<ReleasesResponse>;
  getCapabilities(entity: CompoundEntityRef): Promise<CapabilitiesResponse>;
  getEvidence(id: string): Promise<EvidenceRecordView>;
  /** URL of the stored document, for a download link. */
  getEvidenceRawUrl(id: string): Promise<string>;
  downloadEvidence(id: string): Promise<Blob>;
  listSignoffs(
    entity: CompoundEntityRef,
    release: { version?: string; digest?: string },
  ): Promise<SignoffView[]>;
  signOff(
    entity: CompoundEntityRef,
    body: {
      role: 'po' | 'dpo' | 'security';
      release: { version: string; digest: string };
      decision?: 'approved' | 'rejected';
      comment?: string;
    },
  ): Promise<SignoffView>;
  revokeSignoff(id: string): Promise<SignoffView>;
  /** Records the caller (an owner) as the one asking for the release. */
  requestRelease(
    entity: CompoundEntityRef,
    release: { version: string; digest: string },
  ): Promise<{ requester: string; createdAt: string; created?: boolean }>;
  listWaivers(entity: CompoundEntityRef): Promise<WaiverView[]>;
  createWaiver(
    entity: CompoundEntityRef,
    body: {
      gate: string;
      justification: string;
      expiresAt: string;
      environment?: string;
    },
  ): Promise<WaiverView>;
  revokeWaiver(id: string): Promise<WaiverView>;
  getPortfolio(query?: {
    owner?: string;
    gate?: string;
    status?: string;
    offset?: number;
    limit?: number;
  }): Promise<{ items: PortfolioItem[]; totalItems: number }>;
}

/** @public */
export const rcoApiRef = createApiRef<RcoApi>().with({ id: 'plugin.rco.api' });
