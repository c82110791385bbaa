import { AuditorService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { Request } from 'express';
import { audited } from '../audited';
import { TypedRouter } from '../releaseRoutes';
import { DossierService } from './DossierService';
import { writeDossierZip } from './zipDossier';

/** Dependencies of the dossier routes. */
export interface DossierRouteOptions {
  dossiers: DossierService;
  /** The entity as the caller may see it (catalog visibility, a CI token's own entities). */
  loadEntity: (req: Request<any>) => Promise<Entity>;
  auditor: AuditorService;
}

/** What the audit log says of a request: the entity and the release asked for. */
const auditMeta = (
  entity: Entity,
  query: { version?: string; digest?: string },
) => ({
  entityRef: stringifyEntityRef(entity),
  version: query.version ?? null,
  digest: query.digest ?? null,
});

/** `<name>-<version or short digest>-dossier.zip`, in characters every file system accepts. */
export function dossierFileName(
  entity: Entity,
  release: { version?: string; digest?: string },
) {
  const label =
    release.version ?? release.digest?.replace(/^sha256:/, '').slice(0, 12);
  return `${entity.metadata.name}-${label}-dossier.zip`.replace(
    /[^A-Za-z0-9._-]/g,
    '_',
  );
}

/** Registers the release dossier and attestation routes (issue 15, point 4). */
export function registerDossierRoutes(
  router: TypedRouter,
  o: DossierRouteOptions,
) {
  router.get(
    '/entities/:kind/:namespace/:name/releases/dossier',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      // Everything is read first: a release without evidence is a 404, not a broken zip. The
      // export of a release's whole record is audited, like the decisions in it.
      const dossier = await audited(
        o.auditor,
        {
          eventId: 'release-dossier',
          request: req,
          meta: auditMeta(entity, req.query),
        },
        () => o.dossiers.collect(entity, req.query),
        d => ({
          version: d.release.version ?? null,
          digest: d.release.digest ?? null,
          files: d.files.length,
        }),
      );
      res.setHeader('Content-Type', 'application/zip');
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="${dossierFileName(entity, dossier.release)}"`,
      );
      try {
        await writeDossierZip(res, dossier, (digests, manifest) =>
          o.dossiers.attest(dossier, entity, digests, [manifest]),
        );
      } catch (error) {
        // The status line is sent: a half-written zip must not look complete.
        res.destroy(error as Error);
      }
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/releases/attestation',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      // Each envelope is a signature by the portal's key: who had one made is audited.
      const envelope = await audited(
        o.auditor,
        {
          eventId: 'release-attestation',
          request: req,
          meta: auditMeta(entity, req.query),
        },
        () => o.dossiers.attestation(entity, req.query),
      );
      res.json(envelope as any);
    },
  );

  // Public: verifiers (an admission controller, a person with cosign) fetch it without a token.
  router.get('/attestation/public-key', async (_req, res) => {
    const key = o.dossiers.key;
    if (!key) {
      throw new NotFoundError(
        'No attestation key is configured (rco.attestation.privateKey)',
      );
    }
    res.setHeader('Content-Type', 'application/x-pem-file');
    if (key.keyId) res.setHeader('X-Key-Id', key.keyId);
    res.send(key.publicKeyPem as any);
  });
}
