import { EvidenceSummary, Severity } from '@helix-portal/plugin-rco-common';

const SEVERITY_RANK: Record<Severity, number> = {
  CRITICAL: 5,
  HIGH: 4,
  MEDIUM: 3,
  LOW: 2,
  UNKNOWN: 1,
};

/** Added to a scan's severity rank when it also found secrets (secret-hygiene reads those). */
const WITH_SECRETS = 10;

/**
 * How bad a document's findings are, written with it at upload (rco_evidence.finding_rank):
 * 0 is clean, and each other value is one class of adverse result. The gates read a bounded
 * window, the newest N records per kind, source AND rank (DatabaseEvidenceStore.listForRelease),
 * so however many clean (or less bad) reports anyone uploads, they only push out older reports
 * of their own class: the newest N of every worse class stay in what the gates read, and within
 * the gate's maximum age the worst one stands. The classes are few (at most 16), so the window
 * stays bounded. Distinct values rather than one "has findings" flag, because the blocking
 * severities are configurable: a flood of LOW findings must not push out a CRITICAL one, nor a
 * flood of unverified trufflehog hits a verified one.
 *
 * The migration that backfills the column keeps its own copy of this rule, frozen as it was.
 */
export function findingRank(summary: EvidenceSummary): number {
  switch (summary.type) {
    case 'vulnerability-scan': {
      const worst = (Object.keys(SEVERITY_RANK) as Severity[])
        .filter(sev => (summary.counts?.[sev] ?? 0) > 0)
        .reduce((rank, sev) => Math.max(rank, SEVERITY_RANK[sev]), 0);
      return worst + ((summary.secrets?.length ?? 0) > 0 ? WITH_SECRETS : 0);
    }
    case 'secret-scan': {
      const findings = summary.findings ?? [];
      if (findings.some(f => f.verified)) return 2;
      if (!findings.length) return 0;
      // trufflehog's unverified hits do not block; gitleaks findings do.
      return summary.tool === 'trufflehog' ? 1 : 2;
    }
    case 'signature':
      // A failed console verification is adverse; CI's claim (cosign output) is not (it only
      // does not count). Records without `verification` keep the rank they were written with.
      if (summary.verification) return summary.verification.ok ? 0 : 1;
      return summary.verified ? 0 : 1;
    case 'attestation':
      return summary.succeeded ? 0 : 1;
    case 'policy-report':
      return (summary.counts?.fail ?? 0) + (summary.counts?.error ?? 0) > 0
        ? 1
        : 0;
    case 'gatekeeper-constraint':
      return (summary.totalViolations ?? 0) > 0 ? 1 : 0;
    default:
      return 0;
  }
}
