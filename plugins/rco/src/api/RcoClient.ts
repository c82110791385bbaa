import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CapabilitiesResponse,
  CollectionStatusResponse,
  EnvironmentView,
  EvidenceRecordView,
  OperationResponse,
  OverrideResponse,
  PortfolioResponse,
  ReleasesResponse,
  ReleaseStatusResponse,
  SignoffView,
  WaiverView,
  RunbookDiffResponse,
  RunbookRefreshResponse,
  RunbookVersionResponse,
  RunbookVersionSummary,
  RoadResponse,
  FreezesResponse,
  DeployWindowsResponse,
  DeployWindowView,
  ProposeDeployWindowRequest,
  ReviewsResponse,
  ReleaseReviewView,
  RunbookProposal,
  TimelineResponse,
  WaiverProposalView,
  GatePolicyResponse,
  MetricsResponse,
  ReplayRequest,
  ReplayResponse,
} from '@helix-portal/plugin-rco-common';
import {
  RcoApi,
  RcoMetricsQuery,
  RcoPortfolioQuery,
  RcoReleaseRef,
} from './RcoApi';

const entityPath = ({ kind, namespace, name }: CompoundEntityRef) =>
  `/entities/${encodeURIComponent(kind)}/${encodeURIComponent(
    namespace,
  )}/${encodeURIComponent(name)}`;

/**
 * A release as the road, timeline and dossier routes take it: version and digest only (the
 * status's release also names its environment, which those routes refuse as unknown).
 */
const releaseOnly = (r: { version?: string; digest?: string }) => ({
  version: r.version,
  digest: r.digest,
});

const query = (
  params: Record<string, string | number | boolean | undefined>,
) => {
  const entries = Object.entries(params).filter(
    ([, v]) => v !== undefined && v !== '',
  );
  return entries.length
    ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}`
    : '';
};

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * {@link RcoApi} over HTTP, through the app's discovery and fetch APIs (so the user's token is
 * attached).
 *
 * @public
 */
export class RcoClient implements RcoApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  getCurrentRunbook(entity: CompoundEntityRef) {
    return this.request<RunbookVersionResponse>(
      `${entityPath(entity)}/runbook`,
    );
  }

  async listRunbookVersions(entity: CompoundEntityRef) {
    const body = await this.request<{ items: RunbookVersionSummary[] }>(
      `${entityPath(entity)}/runbook/versions`,
    );
    return body.items;
  }

  getRunbookVersion(entity: CompoundEntityRef, version: string) {
    return this.request<RunbookVersionResponse>(
      `${entityPath(entity)}/runbook/versions/${encodeURIComponent(version)}`,
    );
  }

  diffRunbookVersions(entity: CompoundEntityRef, from: string, to: string) {
    return this.request<RunbookDiffResponse>(
      `${entityPath(entity)}/runbook/diff${query({ from, to })}`,
    );
  }

  refreshRunbook(entity: CompoundEntityRef) {
    return this.request<RunbookRefreshResponse>(
      `${entityPath(entity)}/runbook/refresh`,
      { method: 'POST' },
    );
  }

  getStatus(
    entity: CompoundEntityRef,
    release: { version?: string; digest?: string; environment?: string },
  ) {
    return this.request<ReleaseStatusResponse>(
      `${entityPath(entity)}/status${query(release)}`,
    );
  }

  listReleases(entity: CompoundEntityRef) {
    return this.request<ReleasesResponse>(`${entityPath(entity)}/releases`);
  }

  getCapabilities(entity: CompoundEntityRef) {
    return this.request<CapabilitiesResponse>(
      `${entityPath(entity)}/capabilities`,
    );
  }

  getEvidence(id: string) {
    return this.request<EvidenceRecordView>(
      `/evidence/${encodeURIComponent(id)}`,
    );
  }

  async getEvidenceRawUrl(id: string) {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('rco');
    return `${baseUrl}/evidence/${encodeURIComponent(id)}/raw`;
  }

  async downloadEvidence(id: string) {
    const response = await this.options.fetchApi.fetch(
      await this.getEvidenceRawUrl(id),
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response.blob();
  }

  async listSignoffs(
    entity: CompoundEntityRef,
    release: { version?: string; digest?: string },
  ) {
    const body = await this.request<{ items: SignoffView[] }>(
      `${entityPath(entity)}/signoffs${query(release)}`,
    );
    return body.items;
  }

  signOff(entity: CompoundEntityRef, body: Parameters<RcoApi['signOff']>[1]) {
    return this.request<SignoffView>(
      `${entityPath(entity)}/signoffs`,
      json(body),
    );
  }

  revokeSignoff(id: string) {
    return this.request<SignoffView>(
      `/signoffs/${encodeURIComponent(id)}/revoke`,
      { method: 'POST' },
    );
  }

  requestRelease(
    entity: CompoundEntityRef,
    release: { version: string; digest: string },
  ) {
    return this.request<{
      requester: string;
      createdAt: string;
      created?: boolean;
    }>(`${entityPath(entity)}/releases`, json(release));
  }

  async listWaivers(entity: CompoundEntityRef) {
    const body = await this.request<{ items: WaiverView[] }>(
      `${entityPath(entity)}/waivers`,
    );
    return body.items;
  }

  async listWaiverProposals(entity: CompoundEntityRef) {
    const body = await this.request<{ items: WaiverProposalView[] }>(
      `${entityPath(entity)}/waivers/proposals`,
    );
    return body.items;
  }

  createWaiver(
    entity: CompoundEntityRef,
    body: Parameters<RcoApi['createWaiver']>[1],
  ) {
    return this.request<WaiverView>(
      `${entityPath(entity)}/waivers`,
      json(body),
    );
  }

  revokeWaiver(id: string) {
    return this.request<WaiverView>(
      `/waivers/${encodeURIComponent(id)}/revoke`,
      { method: 'POST' },
    );
  }

  getPortfolio(q: RcoPortfolioQuery = {}) {
    const { expiring, ...rest } = q;
    return this.request<PortfolioResponse>(
      `/portfolio${query({
        ...rest,
        expiring: expiring ? 'true' : undefined,
      })}`,
    );
  }

  /** A blob, not a link: the download must carry the user's token like any other request. */
  async exportPortfolio(q: RcoPortfolioQuery = {}) {
    const { expiring, offset: _o, limit: _l, ...rest } = q;
    const baseUrl = await this.options.discoveryApi.getBaseUrl('rco');
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}/portfolio/export${query({
        ...rest,
        expiring: expiring ? 'true' : undefined,
      })}`,
      { headers: { Accept: 'text/csv' } },
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response.blob();
  }

  async listEnvironments(entity: CompoundEntityRef) {
    const body = await this.request<{ items: EnvironmentView[] }>(
      `${entityPath(entity)}/environments`,
    );
    return body.items;
  }

  async listOperations(
    entity: CompoundEntityRef,
    q: { environment?: string } = {},
  ) {
    const body = await this.request<{ items: OperationResponse[] }>(
      `${entityPath(entity)}/operations${query(q)}`,
    );
    return body.items;
  }

  getOperation(id: string) {
    return this.request<OperationResponse>(
      `/operations/${encodeURIComponent(id)}`,
    );
  }

  createOperation(
    entity: CompoundEntityRef,
    body: Parameters<RcoApi['createOperation']>[1],
    idempotencyKey: string,
  ) {
    const init = json(body);
    return this.request<OperationResponse>(`${entityPath(entity)}/operations`, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        'Idempotency-Key': idempotencyKey,
      },
    });
  }

  confirmOperation(id: string, body: { confirmation: string; step?: string }) {
    return this.request<OperationResponse>(
      `/operations/${encodeURIComponent(id)}/confirm`,
      json(body),
    );
  }

  promoteOperation(id: string) {
    return this.request<OperationResponse>(
      `/operations/${encodeURIComponent(id)}/promote`,
      // An empty JSON body, as the backend's tests send it.
      json({}),
    );
  }

  abortOperation(id: string) {
    return this.request<OperationResponse>(
      `/operations/${encodeURIComponent(id)}/abort`,
      // An empty JSON body, as the backend's tests send it.
      json({}),
    );
  }

  async listOverrides(entity: CompoundEntityRef) {
    const body = await this.request<{ items: OverrideResponse[] }>(
      `${entityPath(entity)}/overrides`,
    );
    return body.items;
  }

  createOverride(
    entity: CompoundEntityRef,
    body: Parameters<RcoApi['createOverride']>[1],
  ) {
    return this.request<OverrideResponse>(
      `${entityPath(entity)}/overrides`,
      json(body),
    );
  }

  revokeOverride(id: string) {
    return this.request<OverrideResponse>(
      `/overrides/${encodeURIComponent(id)}/revoke`,
      { method: 'POST' },
    );
  }

  advanceDemoClock(advance: string) {
    return this.request<{ offsetMs: number; now: string }>(
      '/demo/clock',
      json({ advance }),
    );
  }

  getCollection(entity: CompoundEntityRef) {
    return this.request<CollectionStatusResponse>(
      `${entityPath(entity)}/collection`,
    );
  }

  /**
   * Answers the health after the run: the refresh's own answer when it carries it, otherwise
   * (an empty 202/204) the health read again.
   */
  async refreshCollection(entity: CompoundEntityRef) {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('rco');
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}${entityPath(entity)}/collection/refresh`,
      json({}),
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    const text = await response.text();
    const body = text
      ? (JSON.parse(text) as Partial<CollectionStatusResponse>)
      : {};
    return Array.isArray(body.health)
      ? (body as CollectionStatusResponse)
      : this.getCollection(entity);
  }

  getRoad(entity: CompoundEntityRef, release: RcoReleaseRef) {
    return this.request<RoadResponse>(
      `${entityPath(entity)}/road${query(releaseOnly(release))}`,
    );
  }

  async listFreezes(
    entity: CompoundEntityRef,
    q: { environment?: string } = {},
  ) {
    const body = await this.request<FreezesResponse>(
      `${entityPath(entity)}/freezes${query(q)}`,
    );
    return body.items;
  }

  async listWindows(entity: CompoundEntityRef) {
    const body = await this.request<DeployWindowsResponse>(
      `${entityPath(entity)}/windows`,
    );
    return body.items;
  }

  proposeWindow(entity: CompoundEntityRef, body: ProposeDeployWindowRequest) {
    return this.request<DeployWindowView>(
      `${entityPath(entity)}/windows`,
      json(body),
    );
  }

  acceptWindow(id: string) {
    return this.request<DeployWindowView>(
      `/windows/${encodeURIComponent(id)}/accept`,
      json({}),
    );
  }

  cancelWindow(id: string) {
    return this.request<DeployWindowView>(
      `/windows/${encodeURIComponent(id)}/cancel`,
      json({}),
    );
  }

  listReviews(entity: CompoundEntityRef) {
    return this.request<ReviewsResponse>(`${entityPath(entity)}/reviews`);
  }

  writeReview(
    operationId: string,
    body: Parameters<RcoApi['writeReview'] & {}>[1],
  ) {
    return this.request<ReleaseReviewView>(
      `/operations/${encodeURIComponent(operationId)}/review`,
      json(body),
    );
  }

  getRunbookProposal(reviewId: string) {
    return this.request<RunbookProposal>(
      `/reviews/${encodeURIComponent(reviewId)}/runbook-proposal`,
    );
  }

  getTimeline(entity: CompoundEntityRef, release: RcoReleaseRef) {
    return this.request<TimelineResponse>(
      `${entityPath(entity)}/releases/timeline${query(releaseOnly(release))}`,
    );
  }

  downloadDossier(entity: CompoundEntityRef, release: RcoReleaseRef) {
    return this.blob(
      `${entityPath(entity)}/releases/dossier${query(releaseOnly(release))}`,
      'application/zip',
    );
  }

  downloadAttestation(entity: CompoundEntityRef, release: RcoReleaseRef) {
    return this.blob(
      `${entityPath(entity)}/releases/attestation${query(
        releaseOnly(release),
      )}`,
      'application/json',
    );
  }

  async getRecord(href: string) {
    // The href comes from a response, but it is fetched with the user's token: only a path that
    // stays inside the plugin once the URL is resolved ("..", "%2e%2e", "//host" all leave it).
    const baseUrl = await this.options.discoveryApi.getBaseUrl('rco');
    const base = new URL(baseUrl);
    const target =
      href.startsWith('/') && !href.startsWith('//')
        ? new URL(`${baseUrl}${href}`)
        : undefined;
    if (
      !target ||
      // Dot segments, also percent-encoded (not every URL parser resolves "%2e%2e").
      /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(target.pathname) ||
      target.origin !== base.origin ||
      !target.pathname.startsWith(`${base.pathname.replace(/\/$/, '')}/`)
    ) {
      throw new Error(`Not a record of the release console: ${href}`);
    }
    return this.request<unknown>(href);
  }

  getMetrics(entity: CompoundEntityRef | undefined, q: RcoMetricsQuery = {}) {
    const scope = entity ? entityPath(entity) : '';
    return this.request<MetricsResponse>(`${scope}/metrics${query({ ...q })}`);
  }

  replay(entity: CompoundEntityRef | undefined, request: ReplayRequest) {
    const scope = entity ? entityPath(entity) : '';
    return this.request<ReplayResponse>(`${scope}/replay`, json(request));
  }

  getGatePolicy() {
    return this.request<GatePolicyResponse>('/gates/policy');
  }

  /** A blob, not a link: the download must carry the user's token like any other request. */
  private async blob(path: string, accept: string) {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('rco');
    const response = await this.options.fetchApi.fetch(`${baseUrl}${path}`, {
      headers: { Accept: accept },
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response.blob();
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('rco');
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}${path}`,
      init,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
