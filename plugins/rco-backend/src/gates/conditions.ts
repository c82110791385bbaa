import { GateId, Runbook } from '@helix-portal/plugin-rco-common';
import { EvidenceSource } from '../database/EvidenceStore';
import { SignoffRole } from './fourEyes';
import { DEFAULT_SOURCES } from './sourcePolicy';
import { GateConfig } from './types';

/** What a gate's condition is phrased from: the runbook and configuration in force. */
export interface ConditionContext {
  runbook?: Runbook;
  config: GateConfig;
  /** The entity's name: the canonical name when the runbook names no service. */
  entityName: string;
  signoffGroups: Record<SignoffRole, string | undefined>;
  release: { version?: string; digest?: string };
}

const WHO: Record<EvidenceSource, string> = {
  ci: 'CI',
  cluster: 'the cluster',
  monitoring: 'the monitoring stack',
  system: 'the console',
  human: 'a person',
};

const list = (items: string[], last = 'or') =>
  items.length > 1
    ? `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`
    : items[0] ?? '';

/** The canonical name and the names the glossary keeps distinct (as acronymClarity reads them). */
function naming(ctx: ConditionContext) {
  const service = ctx.runbook?.metadata.service ?? ctx.entityName;
  const entry = ctx.runbook?.glossary.find(
    g => g.term.toLowerCase() === service.toLowerCase(),
  );
  return {
    canonical: service.toLowerCase(),
    distinct: (entry?.distinctFrom ?? []).map(d => d.toLowerCase()),
  };
}

/**
 * Each gate's rule in words, with the thresholds in force filled in (runbook targets, maximum
 * age, blocking severities, the configured group). The words follow what the rules in rules/*.ts
 * check; a change to a rule changes its sentence here (conditions.test.ts pins each).
 */
export function gateCondition(
  gate: GateId,
  maxAge: string | undefined,
  ctx: ConditionContext,
): string {
  const targets = ctx.runbook?.targets;
  const rto = targets ? `RTO (${targets.rto})` : 'the RTO the runbook declares';
  const rpo = targets ? `RPO (${targets.rpo})` : 'the RPO the runbook declares';
  const age = maxAge ? `; evidence no older than ${maxAge}` : '';
  const sources = ` Counted from ${list(
    (ctx.config.sources?.[gate] ?? DEFAULT_SOURCES[gate]).map(s => WHO[s]),
  )}.`;
  const image = ctx.release.digest
    ? `image ${ctx.release.digest}`
    : 'the release image';
  switch (gate) {
    case 'acronym-clarity': {
      const { canonical, distinct } = naming(ctx);
      return `A naming report, or else the service's workloads, show every object labelled with the canonical name "${canonical}"${
        distinct.length
          ? ` and none labelled ${list(
              distinct.map(d => `"${d}"`),
            )} (kept distinct by the glossary)`
          : ''
      }${age}.${sources}`;
    }
    case 'secret-hygiene':
      return `The newest gitleaks and trufflehog scans of the release (trufflehog: verified findings) and Trivy's secret results have no findings, a later clean scan not erasing an earlier finding${
        maxAge ? ` within ${maxAge}` : ''
      }, and a Vault attestation says the service's policy is least-privilege${age}.${sources}`;
    case 'migration-controls':
      return `The runbook declares ${rto} and ${rpo}, and a rollback dry-run succeeded no longer ago than ${
        maxAge ?? targets?.rollbackDryRunMaxAge ?? 'the runbook allows'
      } (per environment).${sources}`;
    case 'image-scanning':
      return `The Trivy and Grype reports of ${image} have no ${list(
        ctx.config.blockingSeverities,
      )} finding (every report within the maximum age counts, the worst stands), a Sigstore bundle signing the same digest verified by the console (trusted root and signer identity of rco.sigstore; a cosign verify report is only CI's claim), and an SBOM (CycloneDX or SPDX) exists for it${age}. Image evidence counts in every environment.${sources}`;
    case 'progressive-delivery':
      return `The Argo Rollout uses the canary strategy, its AnalysisTemplates measure latency and error rate each with a success or failure condition, the newest AnalysisRun did not fail (Failed, Error or Inconclusive) and the rollout was not aborted${age}.${sources}`;
    case 'policy-enforcement':
      return `The newest Kyverno/OpenReports policy report of each object shows no fail or error result and every Gatekeeper constraint shows no violation (at least one report or constraint)${age}.${sources}`;
    case 'monitoring-alerting': {
      // Where the console reads the monitoring stack (monitoringAlertingLive.ts), the stack decides.
      const live = Object.keys(ctx.config.monitoredEnvironments ?? {});
      const stack = live.length
        ? ` In ${list(
            live,
            'and',
          )}, where the console reads Prometheus and Alertmanager itself: each SLO alert is loaded and healthy in Prometheus (an alert a PrometheusRule declares but Prometheus has not loaded fails), has a severity and a runbook_url, and Alertmanager routes it to a receiver that needs a human's acknowledgement (PagerDuty, Opsgenie or one configured); elsewhere the alerts are only declared.`
        : '';
      return `PrometheusRules carry availability, latency and error-rate alerts, each kind with at least one alert that has a severity and a runbook_url, and at least one alert of severity critical or page (routed for human acknowledgement)${age}.${stack}${sources}`;
    }
    case 'documentation-completeness':
      return `A valid runbook whose sections are all non-empty, with a glossary, and whose artefact repository is in ${
        ctx.config.helixCoreRepository
      }.${
        ctx.config.runbookReviewEnforce
          ? ' Its periodic review (metadata.reviewEvery after metadata.lastReviewed) is not overdue (rco.runbookReview.enforce).'
          : ''
      }`;
    case 'rto-rpo-verification':
      return `Completed Velero backups no more than ${rpo} apart, the newest younger than ${rpo}, and the newest restore drill completed within ${rto}${age}.${sources}`;
    case 'dpo-signoff': {
      const group = ctx.signoffGroups.dpo;
      if (!group)
        return 'A DPO approves the release; nobody can today: rco.signoffs.groups.dpo is not configured.';
      return `A member of ${group} approved ${
        ctx.release.version ? `version ${ctx.release.version}` : 'the release'
      } of ${image}, and no DPO's rejection of the image stands. A release request must be on record: the requester's own approval, and the deployer's, do not count (four eyes). No waiver lifts it.`;
    }
    default:
      return '';
  }
}
