import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RcoConfig } from '../config';
import { normalizeEntityRef } from '../lib/entityRefs';
import { DecisionStore } from '../database/DecisionStore';
import { EvidenceRecord, EvidenceStore } from '../database/EvidenceStore';
import { Ledger } from '../database/Ledger';
import { LedgerVerifier } from './LedgerVerifier';
import { EvidenceService } from '../evidence/EvidenceService';
import { ApiRouter } from '@backstage/backend-openapi-utils';
import { spec } from '../schema/openapi.generated';
import { Access } from './access';
import { fourEyes, fourEyesView } from '../gates/fourEyes';
import { audited } from './audited';
import { ReleaseRequestService } from './decisions/ReleaseRequestService';
import { SignoffService } from './decisions/SignoffService';
import { WaiverService } from './decisions/WaiverService';
import { NotifyWaiverProposal } from './decisions/waiverProposalNotice';
import { ReleaseService } from './ReleaseService';
import { assertPerson, ledgerViewFor } from './ledgerView';
import { GateExplainer } from './GateExplainer';
import { knownEnvironments } from '../gates/explain';
import { VerdictService } from './verdicts/VerdictService';
import { PortfolioService } from './verdicts/PortfolioService';
import { portfolioCsv } from './verdicts/portfolioView';
import { JudgedPayload, revivePayload } from './verdicts/storedVerdicts';

/** The plugin's router, typed from its OpenAPI spec. */
export type TypedRouter = ApiRouter<typeof spec>;

/** Dependencies of the evidence, gate, sign-off, waiver, ledger and portfolio routes. */
export interface ReleaseRouteOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  catalog: CatalogService;
  access: Access;
  evidenceService: EvidenceService;
  evidenceStore: EvidenceStore;
  decisions: DecisionStore;
  ledger: Ledger;
  ledgerVerifier: LedgerVerifier;
  releases: ReleaseService;
  config: RcoConfig;
  loadEntity: (req: any) => Promise<Entity>;
  /** The entity of a stored record, as the caller may see it (404 otherwise). */
  loadEntityByRef: (
    entityRef: string,
    req: any,
    notFound?: string,
  ) => Promise<Entity>;
  /**
   * How to ask the catalog for a list on the caller's behalf: a person with their own
   * credentials; a service principal with the plugin's, limited to `scope` (Access.serviceScope).
   */
  catalogAccess: (
    req: any,
  ) => Promise<{ credentials: BackstageCredentials; scope?: string[] }>;
  /** The signals channel of an entity's operations (absent without the deploy side). */
  operationsChannel?: (entityRef: string) => Promise<string>;
  /** False while rco.environments is empty: deploys are off (the capabilities say so). */
  environmentsConfigured?: boolean;
  /** The configured environments' names, in rco.environments order (issue 12, point 4). */
  environments?: string[];
  /** Each gate's condition and next steps for the status route (issue 12, point 1). */
  explainer?: GateExplainer;
  /** The signals channel of an entity's release (nudges on every change; issue 12 point 2). */
  releaseChannel?: (entityRef: string) => Promise<string>;
  /** Stored verdicts (issue 14): the status route serves them when current. */
  verdicts?: VerdictService;
  /** GET /portfolio from the stored verdicts. */
  portfolio: PortfolioService;
  /** The local portal's demo clock (rco.demoEvidence only): the capabilities say it is demo data. */
  demoClock?: { offsetMs: number };
  /** Tells the waiver group of a waiver proposal (issue 16); absent without rco.waivers.group. */
  notifyWaiverProposal?: NotifyWaiverProposal;
}

export const evidenceView = (record: EvidenceRecord, created?: boolean) => ({
  ...record,
  collectedAt: record.collectedAt.toISOString(),
  // Collected evidence (issue 13): where it was read, and when last seen unchanged.
  provenance: record.provenance
    ? {
        ...record.provenance,
        firstObservedAt: record.provenance.firstObservedAt.toISOString(),
        observedAt: record.provenance.observedAt.toISOString(),
      }
    : undefined,
  summary: record.summary as any,
  ...(created === undefined ? {} : { created }),
});

/** Dates as ISO strings, the way the API writes them. */
const iso = (record: object): any =>
  Object.fromEntries(
    Object.entries(record).map(([k, v]) => [
      k,
      v instanceof Date ? v.toISOString() : v,
    ]),
  );

/** Registers the release-readiness routes on the plugin's typed router. */
export function registerReleaseRoutes(
  router: TypedRouter,
  o: ReleaseRouteOptions,
) {
  const credentials = (req: any) =>
    o.httpAuth.credentials(req, { allow: ['user', 'service'] });
  const releaseRequests = new ReleaseRequestService(o);
  const signoffs = new SignoffService(o);
  const waivers = new WaiverService(o);

  /**
   * The newest release's stored verdict (issue 14): served when the caller names no release and
   * the verdict is current (VerdictService.current); the explanation is added per caller.
   */
  async function storedJudgement(
    entity: Entity,
    query: { version?: string; digest?: string; environment?: string },
  ) {
    if (!o.verdicts || query.version || query.digest) return undefined;
    const rows = await o.verdicts.current(stringifyEntityRef(entity));
    const row = rows?.find(r => r.environment === (query.environment ?? ''));
    const base = rows?.find(r => r.environment === '');
    if (!row || !base) return undefined;
    const payload = revivePayload(row.judged as JudgedPayload);
    return {
      ...payload,
      groups: o.releases.groups,
      runbook: await o.releases.runbookOf(entity),
      environments: (base.judged as { environments?: any[] }).environments,
    };
  }

  /** Judges a release the caller names (or one whose stored verdict is not current) now. */
  async function judgeNow(
    entity: Entity,
    query: { version?: string; digest?: string; environment?: string },
    now: Date,
  ) {
    const named = { version: query.version, digest: query.digest };
    const [release, evidenced] = await Promise.all([
      named.version || named.digest ? named : o.releases.latestRelease(entity),
      o.evidenceStore.environments(stringifyEntityRef(entity)),
    ]);
    return o.releases.judge(
      entity,
      { ...release, environment: query.environment },
      now,
      // The same release in every environment the picker lists (issue 12, point 4).
      {
        environments: knownEnvironments(
          o.environments ?? [],
          evidenced,
          query.environment,
        ),
      },
    );
  }

  router.post('/entities/:kind/:namespace/:name/evidence', async (req, res) => {
    const entity = await o.loadEntity(req);
    const creds = await credentials(req);
    const source = await o.access.assertCanUpload(entity, creds);
    if (!Buffer.isBuffer(req.body)) {
      throw new InputError('Send the document as the raw request body');
    }
    const entityRef = stringifyEntityRef(entity);
    const results = await audited(
      o.auditor,
      {
        eventId: 'evidence-upload',
        request: req,
        meta: { entityRef, kind: req.query.kind ?? 'detect' },
      },
      () =>
        o.evidenceService.upload({
          entityRef,
          body: req.body as unknown as Buffer,
          kind: req.query.kind,
          version: req.query.version,
          digest: req.query.digest,
          commit: req.query.commit,
          environment: req.query.environment,
          source,
          submitter: o.access.actorOf(creds),
        }),
      stored => ({
        records: stored.map(s => s.record.id),
        created: stored.filter(s => s.created).length,
      }),
    );
    o.releases.invalidate(entityRef, 'evidence');
    const created = results.some(r => r.created);
    res
      .status(created ? 201 : 200)
      .json({ items: results.map(r => evidenceView(r.record, r.created)) });
  });

  router.get('/entities/:kind/:namespace/:name/evidence', async (req, res) => {
    const entity = await o.loadEntity(req);
    const records = await o.evidenceStore.list(stringifyEntityRef(entity), {
      kinds: req.query.kind ? [req.query.kind as any] : undefined,
      limit: req.query.limit ? Number(req.query.limit) : 100,
    });
    res.json({ items: records.map(r => evidenceView(r)) });
  });

  // Evidence is read through its entity, so catalog visibility and a service token's entities
  // apply to it too; evidence of an entity the caller cannot reach does not exist for them.
  async function visibleEvidence(req: any, id: string) {
    const record = await o.evidenceStore.get(id);
    if (!record) throw new NotFoundError(`No evidence ${id}`);
    await o.loadEntityByRef(record.entityRef, req, `No evidence ${id}`);
    return record;
  }

  router.get('/evidence/:id', async (req, res) => {
    const {
      raw: _raw,
      rawFormat: _format,
      ...record
    } = await visibleEvidence(req, req.params.id);
    res.json(evidenceView(record));
  });

  router.get('/evidence/:id/raw', async (req, res) => {
    const record = await visibleEvidence(req, req.params.id);
    const formats: Record<string, { ext: string; type: string }> = {
      yaml: { ext: 'yaml', type: 'application/yaml' },
      ndjson: { ext: 'ndjson', type: 'application/x-ndjson' },
    };
    const { ext, type } = formats[record.rawFormat ?? ''] ?? {
      ext: 'json',
      type: 'application/json',
    };
    res.setHeader('Content-Type', type);
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${record.kind}-${record.sha256.slice(
        0,
        12,
      )}.${ext}"`,
    );
    res.send(record.raw as any);
  });

  router.get('/entities/:kind/:namespace/:name/status', async (req, res) => {
    const entity = await o.loadEntity(req);
    const creds = await credentials(req);
    const now = o.releases.clock.now();
    const judged =
      (await storedJudgement(entity, req.query)) ??
      (await judgeNow(entity, req.query, now));
    const { status, signoffs: recorded, requester, groups } = judged;
    // The page shows the backend's four-eyes verdict, judged for the caller as the one who
    // would confirm a deploy (their own approvals would not count then).
    const verdict = fourEyes({
      signoffs: recorded,
      release: status.release,
      requester,
      confirmer: o.access.actorOf(creds),
      groups,
    });
    // Conditions and next steps (issue 12, point 1), the people named as the caller sees them.
    const explained = o.explainer
      ? await o.explainer.explain(
          entity,
          judged,
          creds,
          now,
          fourEyesView(verdict),
        )
      : { gates: status.gates, fourEyes: fourEyesView(verdict) };
    res.json({
      ...status,
      ...explained,
      environments: judged.environments,
    } as any);
  });

  router.get('/entities/:kind/:namespace/:name/releases', async (req, res) => {
    const entity = await o.loadEntity(req);
    const { items, environments } = await o.evidenceStore.releases(
      stringifyEntityRef(entity),
    );
    res.json({
      // Only releases that exist: one per image digest, with its version label.
      items: items.map(i => ({
        ...i,
        lastEvidenceAt: i.lastEvidenceAt.toISOString(),
      })),
      // Every configured environment from the first visit, then any only evidence names.
      environments: knownEnvironments(o.environments ?? [], environments),
    });
  });

  router.get(
    '/entities/:kind/:namespace/:name/capabilities',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      const creds = await credentials(req);
      const [base, operations, channel, releaseChannel] = await Promise.all([
        o.access.capabilities(entity, creds),
        o.access.operationCapabilities(entity, creds),
        // Handed out here only, after loadEntity applied catalog visibility (point 8).
        o.operationsChannel?.(stringifyEntityRef(entity)),
        o.releaseChannel?.(stringifyEntityRef(entity)),
      ]);
      const ref = normalizeEntityRef(entity);
      res.json({
        ...base,
        // Said to whoever can see the entity: whether its pipeline can upload (not which token).
        ciUpload: o.config.ciSubjects.some(s => s.entities.includes(ref)),
        operations: {
          ...operations,
          channel,
          environmentsConfigured: !!o.environmentsConfigured,
        },
        releaseChannel,
        ...(o.demoClock
          ? {
              demo: {
                clockOffsetMs: o.demoClock.offsetMs,
                // A person signed in moves it (POST /demo/clock), never a token.
                canAdvanceClock: creds.principal.type === 'user',
              },
            }
          : {}),
      } as any);
    },
  );

  // Decisions: the services hold their rules and invalidate what they change; the routes parse,
  // audit, call and respond.
  router.post('/entities/:kind/:namespace/:name/releases', async (req, res) => {
    const entity = await o.loadEntity(req);
    const entityRef = stringifyEntityRef(entity);
    const result = await audited(
      o.auditor,
      {
        eventId: 'release-request',
        request: req,
        meta: { entityRef, release: req.body },
      },
      async () =>
        releaseRequests.request(entity, await credentials(req), req.body),
    );
    res
      .status(201)
      .json({ ...result, createdAt: result.createdAt.toISOString() });
  });

  router.get('/entities/:kind/:namespace/:name/signoffs', async (req, res) => {
    const entity = await o.loadEntity(req);
    const items = await o.decisions.listSignoffs(stringifyEntityRef(entity), {
      version: req.query.version,
      digest: req.query.digest,
    });
    res.json({ items: items.map(iso) as any });
  });

  router.post('/entities/:kind/:namespace/:name/signoffs', async (req, res) => {
    const entity = await o.loadEntity(req);
    const entityRef = stringifyEntityRef(entity);
    const { role, release } = req.body;
    const record = await audited(
      o.auditor,
      { eventId: 'signoff', request: req, meta: { entityRef, role, release } },
      async () =>
        signoffs.sign(entity, await credentials(req), {
          role,
          decision: req.body.decision,
          release,
          comment: req.body.comment,
        }),
    );
    res.status(201).json(iso(record) as any);
  });

  router.post('/signoffs/:id/revoke', async (req, res) => {
    const original = await signoffs.get(req.params.id);
    await o.loadEntityByRef(
      original.entityRef,
      req,
      `No sign-off ${req.params.id}`,
    );
    const { record } = await audited(
      o.auditor,
      {
        eventId: 'signoff-revoke',
        request: req,
        meta: {
          entityRef: original.entityRef,
          signoff: original.id,
          signer: original.signer,
        },
      },
      async () => signoffs.revoke(original, await credentials(req)),
      // Who revoked whose decision: a revocation by someone else than the signer is the
      // rco.signoff.revoke permission at work.
      r => ({
        revocation: r.record.id,
        revokedBy: r.actor,
        onBehalfOfSigner: r.actor !== r.original.signer,
      }),
    );
    res.status(201).json(iso(record) as any);
  });

  router.get('/entities/:kind/:namespace/:name/waivers', async (req, res) => {
    const entity = await o.loadEntity(req);
    res.json({
      items: (await o.decisions.listWaivers(stringifyEntityRef(entity))).map(
        iso,
      ) as any,
    });
  });

  router.post('/entities/:kind/:namespace/:name/waivers', async (req, res) => {
    const entity = await o.loadEntity(req);
    const entityRef = stringifyEntityRef(entity);
    const record = await audited(
      o.auditor,
      {
        eventId: 'waiver',
        request: req,
        meta: { entityRef, gate: req.body.gate },
      },
      async () => waivers.grant(entity, await credentials(req), req.body),
    );
    res.status(201).json(iso(record) as any);
  });

  // Whoever may see the entity sees its proposals, like its waivers.
  router.get(
    '/entities/:kind/:namespace/:name/waivers/proposals',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      const entityRef = stringifyEntityRef(entity);
      res.json({
        items: (await waivers.proposals(entity)).map(p => ({
          ...iso(p),
          entityRef,
        })),
      });
    },
  );

  // Anyone who may request a release asks the waiver group; it grants nothing (issue 16).
  router.post(
    '/entities/:kind/:namespace/:name/waivers/proposals',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      const entityRef = stringifyEntityRef(entity);
      const { proposal, grantableBy, created } = await audited(
        o.auditor,
        {
          eventId: 'waiver-proposal',
          request: req,
          meta: { entityRef, gate: req.body.gate },
        },
        async () => waivers.propose(entity, await credentials(req), req.body),
        r => ({ proposal: r.proposal.id, ledgerSeq: r.proposal.ledgerSeq }),
      );
      // 200 with the open one when the same person already asked for the same waiver.
      res
        .status(created ? 201 : 200)
        .json({ proposal: iso(proposal), grantableBy, created });
    },
  );

  router.post('/waivers/:id/revoke', async (req, res) => {
    const waiver = await waivers.get(req.params.id);
    await o.loadEntityByRef(
      waiver.entityRef,
      req,
      `No waiver ${req.params.id}`,
    );
    const record = await audited(
      o.auditor,
      {
        eventId: 'waiver-revoke',
        request: req,
        meta: { entityRef: waiver.entityRef, waiver: waiver.id },
      },
      async () => waivers.revoke(waiver, await credentials(req)),
    );
    res.json(iso(record) as any);
  });

  // The stored outcome of the last scheduled run: reading it costs one row, whoever asks.
  // The outcome names rows and chains of every entity: each caller reads their part of it.
  router.get('/ledger/verify', async (req, res) => {
    const creds = await credentials(req);
    const result = await o.ledgerVerifier.latest();
    res.json((await ledgerViewFor(result, creds, o.catalog)) as any);
  });

  // A run now: single-flight, and at most one per rco.ledger.onDemandInterval.
  router.post('/ledger/verify', async (req, res) => {
    const creds = await credentials(req);
    assertPerson(creds);
    const result = await o.ledgerVerifier.onDemand();
    res.json((await ledgerViewFor(result, creds, o.catalog)) as any);
  });

  function portfolioQuery(req: any) {
    return {
      owner: req.query.owner,
      gate: req.query.gate,
      status: req.query.status,
      q: req.query.q,
      expiring: req.query.expiring === 'true',
      sort: req.query.sort,
      order: req.query.order,
    };
  }

  router.get('/portfolio', async (req, res) => {
    const { credentials: catalogCredentials, scope } = await o.catalogAccess(
      req,
    );
    const offset = Number(req.query.offset ?? 0);
    const limit = Math.min(Number(req.query.limit ?? 50), 1000);
    const { rows, totals, columns, pending } = await o.portfolio.view(
      catalogCredentials,
      { ...portfolioQuery(req), entityRefs: scope },
    );
    res.json({
      items: (await o.portfolio.withOpenReviews(
        rows.slice(offset, offset + limit),
      )) as any,
      totalItems: rows.length,
      totals: { ...totals },
      columns: columns as any,
      horizon: o.config.expiresSoonHorizon.toISO()!,
      pending,
    });
  });

  // The same rows as a spreadsheet: every row the filters let through, in the page's order.
  router.get('/portfolio/export', async (req, res) => {
    const { credentials: catalogCredentials, scope } = await o.catalogAccess(
      req,
    );
    const { rows } = await o.portfolio.view(catalogCredentials, {
      ...portfolioQuery(req),
      entityRefs: scope,
    });
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      'attachment; filename="release-readiness.csv"',
    );
    res.send(portfolioCsv(await o.portfolio.withOpenReviews(rows)) as any);
  });
}
