import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { EvidenceStore } from '../../database/EvidenceStore';
import { Ledger, LedgerEntry } from '../../database/Ledger';
import { OperationRecord } from '../../database/OperationStore';
import { StoredVerdict } from '../../database/VerdictStore';
import { canonicalJson, sha256 } from '../../lib/canonicalJson';
import { knownEnvironments } from '../../gates/explain';
import { ReleaseService } from '../ReleaseService';
import { evidenceView } from '../releaseRoutes';
import { AttestationKey, DsseEnvelope, signEnvelope } from './dsse';
import { Release, releaseEntries, sameRelease } from './releaseEntries';
import { ResourceDescriptor, sha256Hex, verificationSummary } from './vsa';

/** Dependencies of the dossier and attestation routes. */
export interface DossierOptions {
  releases: ReleaseService;
  evidenceStore: EvidenceStore;
  ledger: Ledger;
  /** Stored verdicts (issue 14); absent in tests of other parts. */
  storedVerdicts?: { forEntity(entityRef: string): Promise<StoredVerdict[]> };
  /** sha256 of the gate configuration, as the stored verdicts compute it (configDigest). */
  configDigest: string;
  /** Operations, to add their steps and preflight snapshots (absent without the deploy side). */
  operations?: { get(id: string): Promise<OperationRecord | undefined> };
  /** rco.environments in order: names, and image repositories (`{name}` = the entity's name). */
  environments: Array<{ name: string; imageRepository?: string }>;
  /** The signing key (rco.attestation); absent: no attestation. */
  key?: AttestationKey;
  /** The portal's base URL: the verifier's id in the attestation. */
  verifierId: string;
}

/** One file of the dossier: its bytes are read when the zip reaches it. */
export interface DossierFile {
  path: string;
  ledgerSeq?: number;
  body(): Promise<Buffer>;
}

/** Everything about one release, read before anything is sent (so errors are still answers). */
export interface ReleaseDossier {
  entityRef: string;
  release: Release;
  createdAt: Date;
  ready: boolean;
  files: DossierFile[];
  /** The raw evidence files: their digests are the attestation's inputs. */
  evidencePaths: string[];
  /**
   * Whether evidence the release was judged on names its image digest: without any, the digest
   * is only what the caller typed (evidence about the place names no image) and is not attested.
   */
  imageKnown?: boolean;
}

const RAW_EXT: Record<string, string> = { yaml: 'yaml', ndjson: 'ndjson' };
const json = (value: unknown) =>
  Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** The ledger entry as the dossier keeps it: enough to recompute its hash (Ledger.entryHash). */
const entryView = (e: LedgerEntry) => ({
  seq: e.seq,
  entryType: e.entryType,
  entityRef: e.entityRef ?? null,
  actor: e.actor,
  createdAt: e.createdAt.toISOString(),
  payload: e.payload,
  prevHash: e.prevHash,
  hash: e.hash,
});

/** Internal fields of an operation stay inside the control plane (as its routes do). */
const operationView = ({
  leaseOwner: _l,
  leaseExpiresAt: _e,
  requestHash: _h,
  timings: _t,
  lockKey: _k,
  ...op
}: OperationRecord) => op;

/**
 * The release dossier (issue 15, point 4): every record a release was judged on, read from the
 * stores and the entity's ledger chain, and its Verification Summary Attestation.
 */
export class DossierService {
  constructor(private readonly o: DossierOptions) {}

  get key() {
    return this.o.key;
  }

  /** The release named, or the newest the entity has evidence for. */
  private async releaseOf(entity: Entity, query: Release): Promise<Release> {
    const named = query.version || query.digest;
    const release = named
      ? { version: query.version, digest: query.digest }
      : await this.o.releases.latestRelease(entity);
    if (!release.version && !release.digest) {
      throw new NotFoundError(
        `${stringifyEntityRef(
          entity,
        )} has no release with evidence: there is no dossier to make`,
      );
    }
    return release;
  }

  /** Reads what the dossier holds; 404 for a release without evidence. */
  async collect(entity: Entity, query: Release): Promise<ReleaseDossier> {
    const entityRef = stringifyEntityRef(entity);
    const release = await this.releaseOf(entity, query);
    const now = this.o.releases.clock.now();
    const evidenced = await this.o.evidenceStore.environments(entityRef);
    // As the status route judges it: the release without an environment, then in each.
    const judged = await this.o.releases.judge(entity, release, now, {
      environments: knownEnvironments(
        this.o.environments.map(e => e.name),
        evidenced,
      ),
    });
    if (!judged.evidence.length) {
      const named = [release.version, release.digest].filter(Boolean).join(' ');
      throw new NotFoundError(
        `No evidence for release ${named} of ${entityRef}: a dossier holds what a release was judged on, and nothing was`,
      );
    }
    // PASSED is what an admission controller admits on: the release must pass without an
    // environment (where evidence about any place counts) and in every configured environment
    // it may be deployed to (where only that place's evidence and waivers count).
    const ready =
      judged.status.summary.ready &&
      this.o.environments.every(
        env =>
          judged.environments?.find(v => v.environment === env.name)?.ready ===
          true,
      );
    const evidenceIds = new Set(judged.evidence.map(e => e.id));
    const chain = await this.o.ledger.list({ entityRef });
    const entries = releaseEntries(chain, release, evidenceIds);
    // The runbook the gates read, with the entry that stored that exact document (its hash).
    const runbookHash = judged.runbook && sha256(canonicalJson(judged.runbook));
    const runbookEntry = chain
      .filter(
        e =>
          e.entryType === 'runbook-version' &&
          e.payload.contentHash === runbookHash,
      )
      .pop();
    if (runbookEntry) {
      entries.push(runbookEntry);
      entries.sort((a, b) => a.seq - b.seq);
    }
    const stored = (
      (await this.o.storedVerdicts?.forEntity(entityRef)) ?? []
    ).filter(v => sameRelease(v.release, release));

    const files: DossierFile[] = [];
    const add = (path: string, body: () => Promise<Buffer>, seq?: number) =>
      files.push({ path, body, ledgerSeq: seq });
    add('release.json', async () =>
      json({
        entityRef,
        release,
        judgedAt: now.toISOString(),
        configDigest: this.o.configDigest,
        ready,
        summary: judged.status.summary,
        environments: judged.environments,
      }),
    );
    if (judged.runbook) {
      add('runbook.json', async () => json(judged.runbook));
    }
    add('verdicts/status.json', async () =>
      json({ ...judged.status, environments: judged.environments }),
    );
    add('verdicts/stored.json', async () =>
      json(
        stored.map(v => ({
          ...v,
          validUntil: v.validUntil?.toISOString(),
          judgedAt: v.judgedAt.toISOString(),
          readAt: v.readAt.toISOString(),
        })),
      ),
    );
    const evidencePaths: string[] = [];
    for (const record of judged.evidence) {
      const dir = `evidence/${safe(record.kind)}-${safe(record.id)}`;
      // One document at a time: the raw is read when the zip reaches it.
      const full = async () => {
        const found = await this.o.evidenceStore.get(record.id);
        if (!found) throw new Error(`Evidence ${record.id} is gone`);
        return found;
      };
      let ext = 'json';
      const rawFormat = entries.find(
        e => e.entryType === 'evidence-upload' && e.payload.id === record.id,
      )?.payload.rawFormat;
      if (typeof rawFormat === 'string') ext = RAW_EXT[rawFormat] ?? 'json';
      const rawPath = `${dir}/raw.${ext}`;
      evidencePaths.push(rawPath);
      // The document as stored: as uploaded, unless a secret had to be masked out of it.
      add(rawPath, async () => Buffer.from((await full()).raw, 'utf8'));
      add(`${dir}/record.json`, async () => json(evidenceView(record)));
    }
    for (const entry of entries) {
      add(
        `ledger/${String(entry.seq).padStart(10, '0')}-${safe(
          entry.entryType,
        )}.json`,
        async () => json(entryView(entry)),
        entry.seq,
      );
    }
    const operationIds = entries
      .filter(e => e.entryType === 'operation-requested')
      .map(e => String(e.payload.id));
    for (const id of operationIds) {
      const operations = this.o.operations;
      if (!operations) break;
      add(`operations/${safe(id)}.json`, async () => {
        const op = await operations.get(id);
        return json(op ? operationView(op) : { id, missing: true });
      });
    }
    return {
      entityRef,
      release,
      createdAt: now,
      ready,
      files,
      evidencePaths,
      imageKnown:
        !!release.digest &&
        judged.evidence.some(e => e.subject.digest === release.digest),
    };
  }

  /**
   * The signed VSA of the release, or undefined without a key or an image digest. `digests`
   * maps each raw evidence path to its sha256; `extraSubjects` are more files it covers.
   */
  attest(
    dossier: ReleaseDossier,
    entity: Entity,
    digests: Map<string, string>,
    extraSubjects: ResourceDescriptor[] = [],
  ): DsseEnvelope | undefined {
    const key = this.o.key;
    const digest = dossier.release.digest;
    // The portal's key signs only about images it holds evidence of, never any digest asked.
    if (!key || !sha256Hex(digest) || !dossier.imageKnown) return undefined;
    const template = this.o.environments.find(
      e => e.imageRepository,
    )?.imageRepository;
    const statement = verificationSummary({
      image: {
        digest: digest!,
        repository: template?.replace('{name}', entity.metadata.name),
        fallbackName: dossier.entityRef,
      },
      verifierId: this.o.verifierId,
      timeVerified: dossier.createdAt,
      releaseUri: `${this.o.verifierId}/catalog/${
        entity.metadata.namespace ?? 'default'
      }/${entity.kind.toLowerCase()}/${entity.metadata.name}`,
      configDigest: this.o.configDigest,
      inputs: dossier.evidencePaths.map(path => ({
        name: path,
        digest: { sha256: digests.get(path)! },
      })),
      ready: dossier.ready,
      extraSubjects,
    });
    return signEnvelope(key, Buffer.from(JSON.stringify(statement), 'utf8'));
  }

  /** The attestation alone (GET …/releases/attestation): the evidence digests, no manifest. */
  async attestation(entity: Entity, query: Release) {
    if (!this.o.key) {
      throw new NotFoundError(
        'No attestation key is configured (rco.attestation.privateKey)',
      );
    }
    const dossier = await this.collect(entity, query);
    if (!sha256Hex(dossier.release.digest)) {
      throw new NotFoundError(
        `Release ${dossier.release.version} of ${dossier.entityRef} names no image digest: there is no image to attest`,
      );
    }
    if (!dossier.imageKnown) {
      throw new NotFoundError(
        `No evidence of ${dossier.entityRef} names image ${dossier.release.digest}: there is no image to attest`,
      );
    }
    const digests = new Map<string, string>();
    for (const file of dossier.files) {
      if (dossier.evidencePaths.includes(file.path))
        digests.set(file.path, sha256(await file.body()));
    }
    return this.attest(dossier, entity, digests)!;
  }
}
