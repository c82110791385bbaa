// The history `yarn bench:metrics` measures (issue 17): per service, releases with evidence,
// sign-offs, waivers, overrides and deploys written through the plugin's real stores, one
// transaction per service (every ledger entry hashed by Ledger.append), on a clock that walks
// through the past (ServiceWriter). Each deploy decision is judged by the real ReleaseService and
// preflight from what the stores hold at that moment.
import { Entity } from '@backstage/catalog-model';
import { Runbook } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { RcoConfig } from '../../plugins/rco-backend/src/config';
import { OverrideRecord } from '../../plugins/rco-backend/src/database/OverrideStore';
import { signingPolicyDigest } from '../../plugins/rco-backend/src/evidence/sigstore/signingPolicy';
import { ALICE, ServiceWriter } from './service';
import { EvidenceSummaries, Rng } from './shape';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const DANA = 'user:default/dana';
const SAM = 'user:default/sam';
const MEI = 'user:default/mei';

/**
 * Gates the history writes no evidence for (naming reports, rollback dry-runs, Argo, policy and
 * monitoring documents, secret scans): Security waives them a month at a time, so that decisions
 * turn on the gates it does write (image-scanning, rto-rpo-verification, dpo-signoff, the
 * runbook's documentation-completeness).
 */
export const WAIVED_GATES = [
  'acronym-clarity',
  'secret-hygiene',
  'migration-controls',
  'progressive-delivery',
  'policy-enforcement',
  'monitoring-alerting',
] as const;

export interface HistoryShape {
  config: RcoConfig;
  configDigest: string;
  runbook: Runbook;
  summaries: EvidenceSummaries;
  from: Date;
  to: Date;
  releaseEveryDays: number;
}

export interface ServiceCounts {
  releases: number;
  deploys: number;
  blocked: number;
  rollbacks: number;
  breakGlass: number;
}

/** Writes one service's history in one transaction. */
export async function writeService(
  db: Knex,
  entity: Entity,
  seed: number,
  o: HistoryShape,
): Promise<ServiceCounts> {
  const rng = new Rng(seed);
  const counts = { releases: 0, blocked: 0, rollbacks: 0, breakGlass: 0 };
  let deploys = 0;
  await db.transaction(async tx => {
    const w = new ServiceWriter(tx, entity, rng, o, o.from);
    const { entityRef, decisions } = w;
    await w.lock();
    await w.useRunbook(o.runbook, new Date(o.from.getTime() - DAY));
    const start = o.from.getTime();
    const end = o.to.getTime();
    // Security's waivers of the gates without evidence, renewed before they end; staging keeps
    // no backups, so rto-rpo-verification is waived there.
    for (let t = start - DAY; t < end; t += 28 * DAY) {
      w.at(t + rng.int(HOUR));
      for (const gate of [...WAIVED_GATES, 'rto-rpo-verification' as const])
        await decisions.addWaiver(entityRef, {
          gate,
          environment: gate === 'rto-rpo-verification' ? 'staging' : undefined,
          justification: 'Evidence kept outside the console (bench)',
          grantedBy: SAM,
          expiresAt: new Date(w.now.getTime() + 30 * DAY),
        });
    }
    let previous: { version: string; digest: string } | undefined;
    let t = start + rng.int(o.releaseEveryDays * DAY);
    let n = 0;
    while (t < end - 4 * HOUR) {
      n += 1;
      counts.releases += 1;
      const version = `1.${n}.0`;
      const release = {
        version,
        digest: `sha256:${createHash('sha256')
          .update(`${entityRef} ${version}`)
          .digest('hex')}`,
      };
      w.at(t);
      await decisions.requestRelease(entityRef, release, ALICE);
      const failing = rng.chance(0.08);
      const { digest } = release;
      await w.upload(
        'trivy',
        t + 10 * MIN,
        release,
        o.summaries.trivy(release, failing),
      );
      // Verified under the signing policy in force, as EvidenceService records it.
      await w.upload(
        'sigstore-bundle',
        t + 11 * MIN,
        { digest },
        {
          ...(o.summaries.signature(digest) as object),
          signingPolicy: signingPolicyDigest(o.config.sigstore, entityRef),
        },
      );
      await w.upload('cyclonedx', t + 12 * MIN, { digest }, o.summaries.sbom());
      w.at(t + HOUR);
      await decisions.addSignoff(entityRef, {
        role: 'dpo',
        decision: 'approved',
        release,
        signer: DANA,
        comment: 'bench',
      });
      const staged = await w.operate(
        'deploy',
        'staging',
        release,
        t + 2 * HOUR,
      );
      let override: OverrideRecord | undefined;
      if (staged === 'blocked') {
        counts.blocked += 1;
        // Mostly a patched release follows within hours; now and then it cannot wait.
        if (!rng.chance(0.2) || t + DAY > end) {
          t += (4 + rng.int(8)) * HOUR;
          continue;
        }
        w.at(t + 5 * HOUR);
        override = await w.overrides.add({
          entityRef,
          environment: 'production',
          release,
          justification: 'Customer-facing fix; finding not reachable (bench)',
          createdBy: MEI,
          expiresAt: new Date(t + 12 * HOUR),
        });
        counts.breakGlass += 1;
      }
      const tp = override
        ? t + 6 * HOUR
        : Math.min(t + DAY + rng.int(2 * DAY), end - HOUR);
      const production = { environment: 'production' };
      await w.upload(
        'velero-backup',
        tp - 30_000,
        production,
        o.summaries.backup(tp - MIN),
      );
      await w.upload(
        'velero-restore',
        tp - 2 * MIN,
        production,
        o.summaries.restore(tp - 20 * MIN),
      );
      const shipped = await w.operate(
        'deploy',
        'production',
        release,
        tp,
        override,
      );
      if (shipped === 'blocked') counts.blocked += 1;
      // Some releases are taken back by hand after a while.
      if (shipped === 'succeeded' && previous && rng.chance(0.05)) {
        await w.operate(
          'rollback',
          'production',
          previous,
          w.now.getTime() + 40 * MIN,
        );
        counts.rollbacks += 1;
      }
      if (shipped !== 'blocked') previous = release;
      t = Math.max(
        tp + 2 * HOUR,
        t + o.releaseEveryDays * DAY * (0.6 + 0.8 * rng.next()),
      );
    }
    deploys = w.deploys;
  });
  return { ...counts, deploys };
}
