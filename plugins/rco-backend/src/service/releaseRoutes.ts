import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GATE_IDS, GateId } from '@internal/plugin-rco-common';
import { RcoConfig } from '../config';
import { DecisionStore } from '../database/DecisionStore';
import { EvidenceRecord, EvidenceStore } from '../database/EvidenceStore';
import { Ledger } from '../database/Ledger';
import { LedgerVerifier } from './LedgerVerifier';
import { EvidenceService } from '../evidence/EvidenceService';
import { ApiRouter } from '@backstage/backend-openapi-utils';
import { spec } from '../schema/openapi.generated';
import { Access } from './access';
import { audited } from './audited';
import { ReleaseService } from './ReleaseService';

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
}

export const evidenceView = (record: EvidenceRecord, created?: boolean) => ({
  ...record,
  collectedAt: record.collectedAt.toISOString(),
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
    o.releases.invalidate(entityRef);
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

  // Evidence is read through its entity, so catalog visibility applies to it too.
  async function visibleEvidence(req: any, id: string) {
    const record = await o.evidenceStore.get(id);
    if (!record) throw new NotFoundError(`No evidence ${id}`);
    const entity = await o.catalog.getEntityByRef(record.entityRef, {
      credentials: await o.httpAuth.credentials(req),
    });
    if (!entity) throw new NotFoundError(`No evidence ${id}`);
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
    const named = { version: req.query.version, digest: req.query.digest };
    const release =
      named.version || named.digest
        ? named
        : await o.releases.latestRelease(entity);
    res.json(
      (await o.releases.status(entity, {
        ...release,
        environment: req.query.environment,
      })) as any,
    );
  });

  router.get('/entities/:kind/:namespace/:name/releases', async (req, res) => {
    const entity = await o.loadEntity(req);
    const { items, environments } = await o.evidenceStore.releases(
      stringifyEntityRef(entity),
    );
    res.json({
      items: items.map(i => ({
        ...i,
        lastEvidenceAt: i.lastEvidenceAt.toISOString(),
      })),
      environments,
    });
  });

  router.get(
    '/entities/:kind/:namespace/:name/capabilities',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      const creds = await credentials(req);
      const [base, operations] = await Promise.all([
        o.access.capabilities(entity, creds),
        o.access.operationCapabilities(entity, creds),
      ]);
      res.json({ ...base, operations } as any);
    },
  );

  router.post('/entities/:kind/:namespace/:name/releases', async (req, res) => {
    const entity = await o.loadEntity(req);
    const entityRef = stringifyEntityRef(entity);
    const requester = await o.access.assertOwner(
      entity,
      await credentials(req),
    );
    const result = await audited(
      o.auditor,
      {
        eventId: 'release-request',
        request: req,
        meta: { entityRef, release: req.body },
      },
      () => o.decisions.requestRelease(entityRef, req.body, requester),
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
    const { role, release, comment } = req.body;
    const signer = await o.access.assertRoleMember(
      role,
      await credentials(req),
    );
    const requester = await o.decisions.getRequester(entityRef, release);
    if (requester === signer) {
      throw new NotAllowedError(
        `${signer} requested ${release.version} and cannot sign it off too (four eyes)`,
      );
    }
    const record = await audited(
      o.auditor,
      { eventId: 'signoff', request: req, meta: { entityRef, role, release } },
      () =>
        o.decisions.addSignoff(entityRef, {
          role,
          decision: req.body.decision ?? 'approved',
          release,
          signer,
          comment,
        }),
    );
    o.releases.invalidate(entityRef);
    res.status(201).json(iso(record) as any);
  });

  router.post('/signoffs/:id/revoke', async (req, res) => {
    const original = await o.decisions.getSignoff(req.params.id);
    if (!original) throw new NotFoundError(`No sign-off ${req.params.id}`);
    const entity = await o.catalog.getEntityByRef(original.entityRef, {
      credentials: await o.httpAuth.credentials(req),
    });
    if (!entity) throw new NotFoundError(`No sign-off ${req.params.id}`);
    const signer = await o.access.assertRoleMember(
      original.role,
      await credentials(req),
    );
    const record = await audited(
      o.auditor,
      {
        eventId: 'signoff-revoke',
        request: req,
        meta: { entityRef: original.entityRef, signoff: original.id },
      },
      () =>
        o.decisions.addSignoff(original.entityRef, {
          role: original.role,
          decision: 'revoked',
          release: original.release,
          signer,
          revokes: original.id,
        }),
    );
    o.releases.invalidate(original.entityRef);
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
    const grantedBy = await o.access.assertCanWaive(await credentials(req));
    const { gate, justification, expiresAt, environment, releaseVersion } =
      req.body;
    if (!(GATE_IDS as readonly string[]).includes(gate)) {
      throw new InputError(
        `Unknown gate "${gate}". Gates: ${GATE_IDS.join(', ')}`,
      );
    }
    const expiry = new Date(expiresAt);
    const now = Date.now();
    if (!(expiry.getTime() > now))
      throw new InputError('expiresAt must be in the future');
    if (expiry.getTime() - now > o.config.waiverMaxDuration.toMillis()) {
      throw new InputError(
        `A waiver may last at most ${o.config.waiverMaxDuration.toISO()}`,
      );
    }
    const record = await audited(
      o.auditor,
      { eventId: 'waiver', request: req, meta: { entityRef, gate } },
      () =>
        o.decisions.addWaiver(entityRef, {
          gate: gate as GateId,
          justification,
          expiresAt: expiry,
          environment,
          releaseVersion,
          grantedBy,
        }),
    );
    o.releases.invalidate(entityRef);
    res.status(201).json(iso(record) as any);
  });

  router.post('/waivers/:id/revoke', async (req, res) => {
    const waiver = await o.decisions.getWaiver(req.params.id);
    const entity =
      waiver &&
      (await o.catalog.getEntityByRef(waiver.entityRef, {
        credentials: await o.httpAuth.credentials(req),
      }));
    if (!waiver || !entity)
      throw new NotFoundError(`No waiver ${req.params.id}`);
    const actor = await o.access.assertCanWaive(await credentials(req));
    const record = await audited(
      o.auditor,
      {
        eventId: 'waiver-revoke',
        request: req,
        meta: { entityRef: waiver.entityRef, waiver: waiver.id },
      },
      () => o.decisions.revokeWaiver(waiver.id, actor),
    );
    o.releases.invalidate(waiver.entityRef);
    res.json(iso(record!) as any);
  });

  // The stored outcome of the last scheduled run: reading it costs one row, whoever asks.
  router.get('/ledger/verify', async (_req, res) => {
    res.json((await o.ledgerVerifier.latest()) as any);
  });

  // A run now: single-flight, and at most one per rco.ledger.onDemandInterval.
  router.post('/ledger/verify', async (req, res) => {
    await credentials(req);
    res.json((await o.ledgerVerifier.onDemand()) as any);
  });

  router.get('/portfolio', async (req, res) => {
    const { items, totalItems } = await o.releases.portfolio(
      await o.httpAuth.credentials(req),
      {
        owner: req.query.owner,
        gate: req.query.gate,
        status: req.query.status,
        offset: Number(req.query.offset ?? 0),
        limit: Math.min(Number(req.query.limit ?? 50), 500),
      },
    );
    res.json({ items: items as any, totalItems });
  });
}
