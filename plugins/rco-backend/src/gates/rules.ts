import { GateId } from '@internal/plugin-rco-common';
import { EvidenceRecord } from '../database/EvidenceStore';
import {
  documentTime,
  duration,
  evidenceOf,
  humanAge,
  newestPerObject,
  shortDigest,
  summaryOf,
} from './helpers';
import { GateContext, RuleOutcome } from './types';

type Rule = (ctx: GateContext) => RuleOutcome;

const missing = (
  reasons: string[],
  used: EvidenceRecord[] = [],
): RuleOutcome => ({
  status: 'missing',
  reasons,
  used,
});

const fresh = (used: EvidenceRecord[]) =>
  used.map(r => ({ what: r.kind, at: r.collectedAt }));

/** Canonical name and the names the glossary keeps distinct from it. */
function naming(ctx: GateContext) {
  const service =
    ctx.runbook?.metadata.service ?? ctx.entityRef.split('/').pop()!;
  const entry = ctx.runbook?.glossary.find(
    g => g.term.toLowerCase() === service.toLowerCase(),
  );
  return {
    canonical: service.toLowerCase(),
    distinct: (entry?.distinctFrom ?? []).map(d => d.toLowerCase()),
  };
}

const acronymClarity: Rule = ctx => {
  const { canonical, distinct } = naming(ctx);
  const [report] = evidenceOf(ctx, ['naming-report']);
  if (report) {
    const s = summaryOf(report, 'attestation')!;
    const mislabelled = (s.details.mislabelled as string[] | undefined) ?? [];
    return s.succeeded
      ? {
          status: 'pass',
          reasons: [`Naming report: every object is labelled ${canonical}`],
          used: [report],
          freshness: fresh([report]),
        }
      : {
          status: 'fail',
          reasons: [
            `Naming report found objects labelled with a name the glossary keeps distinct: ${mislabelled.join(
              ', ',
            )}`,
          ],
          used: [report],
          freshness: fresh([report]),
        };
  }
  const workloads = newestPerObject(evidenceOf(ctx, ['workload']), r => {
    const w = summaryOf(r, 'workload')!;
    return `${w.kind}/${w.namespace ?? ''}/${w.name}`;
  });
  if (!workloads.length) {
    return missing([
      `Upload a naming report or the service's workloads (kubectl get deploy -o json) to check labels for "${canonical}"`,
    ]);
  }
  const wrong: string[] = [];
  for (const w of workloads) {
    const s = summaryOf(w, 'workload')!;
    const labels = Object.values(s.labels).map(v => v.toLowerCase());
    const bad = labels.filter(v =>
      distinct.some(d => v === d || v.startsWith(`${d}-`)),
    );
    if (bad.length)
      wrong.push(`${s.kind} ${s.name} is labelled ${bad.join(', ')}`);
    else if (
      !labels.some(v => v === canonical || v.startsWith(`${canonical}-`))
    ) {
      wrong.push(`${s.kind} ${s.name} carries no "${canonical}" label`);
    }
  }
  return wrong.length
    ? {
        status: 'fail',
        reasons: wrong,
        used: workloads,
        freshness: fresh(workloads),
      }
    : {
        status: 'pass',
        reasons: [
          `${workloads.length} workloads carry the canonical name ${canonical}`,
        ],
        used: workloads,
        freshness: fresh(workloads),
      };
};

const secretHygiene: Rule = ctx => {
  const scans = evidenceOf(ctx, ['gitleaks', 'trufflehog']);
  // Only the newest Trivy report speaks: an old finding must not fail every later release.
  const trivyWithSecrets = evidenceOf(ctx, ['trivy'])
    .slice(0, 1)
    .filter(r => (summaryOf(r, 'vulnerability-scan')?.secrets.length ?? 0) > 0);
  const [vault] = evidenceOf(ctx, ['vault-attestation']);
  const reasons: string[] = [];
  const used: EvidenceRecord[] = [];
  let failed = false;
  const newestByTool = new Map<string, EvidenceRecord>();
  for (const scan of scans)
    if (!newestByTool.has(scan.kind)) newestByTool.set(scan.kind, scan);
  for (const scan of newestByTool.values()) {
    used.push(scan);
    const s = summaryOf(scan, 'secret-scan')!;
    const blocking =
      s.tool === 'trufflehog' ? s.findings.filter(f => f.verified) : s.findings;
    if (blocking.length) {
      failed = true;
      reasons.push(
        `${s.tool} found ${blocking.length} secret${
          blocking.length > 1 ? 's' : ''
        }: ${blocking
          .slice(0, 5)
          .map(
            f => `${f.rule} in ${f.file ?? '?'}${f.line ? `:${f.line}` : ''}`,
          )
          .join('; ')}`,
      );
    } else {
      reasons.push(
        `${s.tool}: no ${s.tool === 'trufflehog' ? 'verified ' : ''}secrets`,
      );
    }
  }
  for (const t of trivyWithSecrets.slice(0, 1)) {
    used.push(t);
    failed = true;
    const secrets = summaryOf(t, 'vulnerability-scan')!.secrets;
    reasons.push(
      `Trivy found ${secrets.length} secrets: ${secrets
        .slice(0, 5)
        .map(f => `${f.rule} in ${f.file ?? '?'}:${f.line ?? '?'}`)
        .join('; ')}`,
    );
  }
  if (!newestByTool.size && !trivyWithSecrets.length) {
    reasons.push(
      'No secret scan (gitleaks, trufflehog or Trivy) of this release',
    );
  }
  if (vault) {
    used.push(vault);
    const s = summaryOf(vault, 'attestation')!;
    if (!s.succeeded) {
      failed = true;
      reasons.push(
        `Vault attestation says policy ${
          s.details.policy ?? ''
        } is not least-privilege`,
      );
    } else
      reasons.push(
        `Vault least-privilege attestation for ${
          s.details.policy ?? 'the service policy'
        }`,
      );
  } else reasons.push('No Vault least-privilege attestation');
  if (failed) return { status: 'fail', reasons, used, freshness: fresh(used) };
  if (!vault || (!newestByTool.size && !trivyWithSecrets.length))
    return missing(reasons, used);
  return { status: 'pass', reasons, used, freshness: fresh(used) };
};

const migrationControls: Rule = ctx => {
  if (!ctx.runbook) return missing(['No valid runbook declares RTO and RPO']);
  const maxAge = duration(ctx.runbook.targets.rollbackDryRunMaxAge);
  const reasons = [
    `Runbook declares RTO ${ctx.runbook.targets.rto} and RPO ${ctx.runbook.targets.rpo}`,
  ];
  const [dryRun] = evidenceOf(ctx, ['rollback-dry-run']);
  if (!dryRun)
    return missing([
      ...reasons,
      `No rollback dry-run recorded (required within ${ctx.runbook.targets.rollbackDryRunMaxAge})`,
    ]);
  const s = summaryOf(dryRun, 'attestation')!;
  const at = documentTime(s.performedAt, dryRun);
  if (!s.succeeded)
    return {
      status: 'fail',
      reasons: [...reasons, `Rollback dry-run of ${at.toISOString()} failed`],
      used: [dryRun],
      freshness: [{ what: 'rollback dry-run', at }],
    };
  return {
    status: 'pass',
    reasons: [
      ...reasons,
      `Rollback dry-run succeeded ${humanAge(
        ctx.now.getTime() - at.getTime(),
      )} ago (max ${maxAge.toISO()})`,
    ],
    used: [dryRun],
    freshness: [{ what: 'rollback dry-run', at }],
  };
};

const imageScanning: Rule = ctx => {
  const digest = ctx.release.digest;
  if (!digest)
    return missing([
      'No image digest given for the release: scans are bound to a digest',
    ]);
  const forDigest = (r: EvidenceRecord) => r.subject.digest === digest;
  const [scan] = evidenceOf(ctx, ['trivy', 'grype'], forDigest);
  // A verified cosign result stands even when an unverified bundle was uploaded after it.
  const [signature] = [
    ...evidenceOf(
      ctx,
      ['cosign'],
      r => forDigest(r) && !!summaryOf(r, 'signature')?.verified,
    ),
    ...evidenceOf(ctx, ['cosign', 'sigstore-bundle'], forDigest),
  ];
  const [sbom] = evidenceOf(ctx, ['cyclonedx', 'spdx'], forDigest);
  const reasons: string[] = [];
  const used = [scan, signature, sbom].filter(Boolean) as EvidenceRecord[];
  let failed = false;
  if (scan) {
    const s = summaryOf(scan, 'vulnerability-scan')!;
    const blocking = ctx.config.blockingSeverities;
    const counts = blocking.map(
      sev => `${s.counts[sev as keyof typeof s.counts] ?? 0} ${sev}`,
    );
    const total = blocking.reduce(
      (n, sev) => n + (s.counts[sev as keyof typeof s.counts] ?? 0),
      0,
    );
    if (total > 0) {
      failed = true;
      const ids = [
        ...new Set(
          s.findings.filter(f => blocking.includes(f.severity)).map(f => f.id),
        ),
      ];
      reasons.push(
        `${s.tool === 'trivy' ? 'Trivy' : 'Grype'} report for ${shortDigest(
          digest,
        )} has ${counts.join(' and ')}: ${ids.slice(0, 8).join(', ')}${
          ids.length > 8 ? `, … (${ids.length} in all)` : ''
        }`,
      );
    } else
      reasons.push(
        `${s.tool === 'trivy' ? 'Trivy' : 'Grype'} report for ${shortDigest(
          digest,
        )} has no ${blocking.join(' or ')} findings`,
      );
  } else reasons.push(`No Trivy or Grype report for ${shortDigest(digest)}`);
  if (signature) {
    const s = summaryOf(signature, 'signature')!;
    if (!s.verified) {
      failed = failed || s.tool === 'cosign';
      reasons.push(
        s.tool === 'cosign'
          ? `Cosign verification of ${shortDigest(digest)} did not succeed`
          : `Sigstore bundle present for ${shortDigest(
              digest,
            )} but no cosign verify result`,
      );
    } else
      reasons.push(
        `Cosign verified ${s.signatures} signature(s) of ${shortDigest(
          digest,
        )}`,
      );
  } else reasons.push(`No Cosign verification of ${shortDigest(digest)}`);
  if (sbom)
    reasons.push(
      `SBOM (${summaryOf(sbom, 'sbom')!.format}) for ${shortDigest(digest)}`,
    );
  else reasons.push(`No SBOM (CycloneDX or SPDX) for ${shortDigest(digest)}`);
  if (failed) return { status: 'fail', reasons, used, freshness: fresh(used) };
  const verified = signature && summaryOf(signature, 'signature')!.verified;
  if (!scan || !verified || !sbom) return missing(reasons, used);
  return { status: 'pass', reasons, used, freshness: fresh(used) };
};

const LATENCY = /latenc|duration|p9[059]|response.?time/i;
const ERRORS = /error|5xx|fail|success.?rate/i;

const progressiveDelivery: Rule = ctx => {
  const [rollout] = evidenceOf(ctx, ['argo-rollout']);
  if (!rollout)
    return missing([
      'No Argo Rollout of the service: upload kubectl get rollout -o json',
    ]);
  const r = summaryOf(rollout, 'argo-rollout')!;
  const used = [rollout];
  if (r.strategy !== 'canary')
    return {
      status: 'fail',
      reasons: [
        `Rollout ${r.name} uses the ${r.strategy} strategy, not a canary`,
      ],
      used,
    };
  const templates = newestPerObject(
    evidenceOf(ctx, ['argo-analysis-template']),
    t => summaryOf(t, 'argo-analysis-template')!.name,
  ).filter(t =>
    r.analysisTemplates.includes(summaryOf(t, 'argo-analysis-template')!.name),
  );
  used.push(...templates);
  const metrics = templates.flatMap(
    t => summaryOf(t, 'argo-analysis-template')!.metrics,
  );
  const covers = (re: RegExp) =>
    metrics.some(
      m =>
        (re.test(m.name) || re.test(m.query ?? '')) &&
        (m.successCondition || m.failureCondition),
    );
  const reasons: string[] = [
    `Rollout ${r.name} is a canary of ${r.steps.length} steps`,
  ];
  const [run] = evidenceOf(ctx, ['argo-analysis-run']);
  if (run) {
    used.push(run);
    const a = summaryOf(run, 'argo-analysis-run')!;
    if (
      a.phase === 'Failed' ||
      a.phase === 'Error' ||
      a.phase === 'Inconclusive'
    ) {
      const failing = a.metrics.filter(
        m => m.phase === 'Failed' || m.phase === 'Error' || (m.failed ?? 0) > 0,
      );
      return {
        status: 'fail',
        reasons: [
          ...reasons,
          `AnalysisRun ${a.name} ${a.phase}: ${
            failing
              .map(
                m =>
                  `${m.name} = ${m.lastValue ?? '?'} against ${
                    m.successCondition ?? m.failureCondition ?? 'its condition'
                  }`,
              )
              .join('; ') ||
            a.message ||
            'see the run'
          }`,
        ],
        used,
        freshness: fresh(used),
      };
    }
    reasons.push(`AnalysisRun ${a.name} ${a.phase ?? 'running'}`);
  }
  if (r.aborted)
    return {
      status: 'fail',
      reasons: [...reasons, `Rollout was aborted: ${r.message ?? ''}`],
      used,
      freshness: fresh(used),
    };
  if (!templates.length)
    return missing(
      [
        ...reasons,
        `No AnalysisTemplate (${
          r.analysisTemplates.join(', ') || 'none referenced'
        }) uploaded`,
      ],
      used,
    );
  const gaps = [
    !covers(LATENCY) && 'latency',
    !covers(ERRORS) && 'error rate',
  ].filter(Boolean);
  if (gaps.length)
    return {
      status: 'fail',
      reasons: [
        ...reasons,
        `Canary analysis has no ${gaps.join(' or ')} metric with a threshold`,
      ],
      used,
      freshness: fresh(used),
    };
  return {
    status: 'pass',
    reasons: [
      ...reasons,
      'Analysis covers latency and error rate with thresholds',
    ],
    used,
    freshness: fresh(used),
  };
};

const policyEnforcement: Rule = ctx => {
  const reports = evidenceOf(ctx, ['policy-report']);
  const constraints = evidenceOf(ctx, ['gatekeeper-constraint']);
  if (!reports.length && !constraints.length)
    return missing([
      'No Kyverno/OpenReports policy report and no Gatekeeper constraint status',
    ]);
  // The newest document per report or constraint name is what holds now.
  const newest = (
    records: EvidenceRecord[],
    key: (r: EvidenceRecord) => string,
  ) => {
    const seen = new Map<string, EvidenceRecord>();
    for (const r of records) if (!seen.has(key(r))) seen.set(key(r), r);
    return [...seen.values()];
  };
  const used = [
    ...newest(reports, r => {
      const s = summaryOf(r, 'policy-report')!;
      return `${s.namespace}/${s.name}`;
    }),
    ...newest(constraints, r => {
      const s = summaryOf(r, 'gatekeeper-constraint')!;
      return `${s.constraintKind}/${s.name}`;
    }),
  ];
  const reasons: string[] = [];
  for (const r of used) {
    const p = summaryOf(r, 'policy-report');
    if (p && p.counts.fail + p.counts.error > 0) {
      reasons.push(
        `Policy report ${p.name}: ${p.counts.fail} fail, ${
          p.counts.error
        } error — ${p.failures
          .slice(0, 5)
          .map(
            f =>
              `${f.policy}${f.rule ? `/${f.rule}` : ''}${
                f.resource ? ` on ${f.resource}` : ''
              }`,
          )
          .join('; ')}`,
      );
    }
    const g = summaryOf(r, 'gatekeeper-constraint');
    if (g && g.totalViolations > 0) {
      reasons.push(
        `Gatekeeper ${g.constraintKind} ${g.name}: ${
          g.totalViolations
        } violations — ${g.violations
          .slice(0, 5)
          .map(v =>
            `${v.kind ?? ''} ${v.namespace ? `${v.namespace}/` : ''}${
              v.name ?? ''
            }`.trim(),
          )
          .join('; ')}`,
      );
    }
  }
  if (reasons.length)
    return { status: 'fail', reasons, used, freshness: fresh(used) };
  return {
    status: 'pass',
    reasons: [
      `${used.length} policy reports and constraints show no fail, error or violation`,
    ],
    used,
    freshness: fresh(used),
  };
};

const SLO_KINDS: Array<[string, RegExp]> = [
  ['availability', /availab|down|absent|up\b|uptime/i],
  ['latency', LATENCY],
  ['error rate', ERRORS],
];

const monitoringAlerting: Rule = ctx => {
  const rules = newestPerObject(
    evidenceOf(ctx, ['prometheus-rule']),
    r => summaryOf(r, 'prometheus-rule')!.name,
  );
  if (!rules.length)
    return missing(["No PrometheusRule with the service's SLO alerts"]);
  const alerts = rules.flatMap(r => summaryOf(r, 'prometheus-rule')!.alerts);
  const reasons: string[] = [];
  let ok = true;
  for (const [label, re] of SLO_KINDS) {
    const found = alerts.filter(a => re.test(a.alert) || re.test(a.expr));
    const complete = found.filter(a => a.severity && a.runbookUrl);
    if (!found.length) {
      ok = false;
      reasons.push(`No ${label} alert`);
    } else if (!complete.length) {
      ok = false;
      reasons.push(
        `${label} alerts (${found
          .map(a => a.alert)
          .join(', ')}) lack severity or runbook_url`,
      );
    } else
      reasons.push(
        `${label}: ${complete
          .map(a => `${a.alert} (${a.severity})`)
          .slice(0, 3)
          .join(', ')}`,
      );
  }
  const pageable = alerts.filter(a =>
    ['critical', 'page'].includes((a.severity ?? '').toLowerCase()),
  );
  if (!pageable.length) {
    ok = false;
    reasons.push(
      'No alert routed for human acknowledgement (severity critical/page)',
    );
  }
  return {
    status: ok ? 'pass' : 'fail',
    reasons,
    used: rules,
    freshness: fresh(rules),
  };
};

const documentationCompleteness: Rule = ctx => {
  if (!ctx.runbook) return missing(['No valid runbook']);
  const { runbook } = ctx;
  const empty = runbook.sections.filter(s => !s.body.trim());
  const reasons: string[] = [];
  if (empty.length)
    reasons.push(`Empty sections: ${empty.map(s => s.title).join(', ')}`);
  if (!runbook.glossary.length) reasons.push('No glossary');
  const repo = runbook.metadata.repository ?? '';
  if (!repo.includes(ctx.config.helixCoreRepository)) {
    reasons.push(
      `Artefacts are not linked to the Helix Core repository (${
        ctx.config.helixCoreRepository
      }): ${repo || 'no repository'}`,
    );
  }
  return reasons.length
    ? { status: 'fail', reasons, used: [] }
    : {
        status: 'pass',
        reasons: [
          `All ${runbook.sections.length} sections present, glossary of ${runbook.glossary.length} terms, artefacts in ${repo}`,
        ],
        used: [],
      };
};

const rtoRpoVerification: Rule = ctx => {
  if (!ctx.runbook) return missing(['No valid runbook declares RTO and RPO']);
  const rpo = duration(ctx.runbook.targets.rpo).toMillis();
  const rto = duration(ctx.runbook.targets.rto).toMillis();
  const backups = newestPerObject(
    evidenceOf(ctx, ['velero-backup']),
    r => summaryOf(r, 'velero')!.name,
  )
    .map(r => {
      const s = summaryOf(r, 'velero')!;
      return { r, s, at: documentTime(s.completionTimestamp, r).getTime() };
    })
    .filter(
      b =>
        b.s.phase === 'Completed' &&
        Number.isFinite(Date.parse(b.s.completionTimestamp ?? '')),
    )
    .sort((a, b) => b.at - a.at);
  if (!backups.length) return missing(['No completed Velero backup']);
  const used = backups.map(b => b.r);
  const reasons: string[] = [];
  let ok = true;
  const newest = backups[0].at;
  if (ctx.now.getTime() - newest > rpo) {
    ok = false;
    reasons.push(
      `Newest backup ${backups[0].s.name} completed ${humanAge(
        ctx.now.getTime() - newest,
      )} ago, beyond RPO ${ctx.runbook.targets.rpo}`,
    );
  } else
    reasons.push(
      `Newest backup ${humanAge(ctx.now.getTime() - newest)} old (RPO ${
        ctx.runbook.targets.rpo
      })`,
    );
  for (let i = 1; i < backups.length; i++) {
    const gap = backups[i - 1].at - backups[i].at;
    if (gap > rpo) {
      ok = false;
      reasons.push(
        `Backups ${backups[i].s.name} and ${
          backups[i - 1].s.name
        } are ${humanAge(gap)} apart, beyond RPO`,
      );
      break;
    }
  }
  const [restore] = evidenceOf(ctx, ['velero-restore']);
  if (!restore) return missing([...reasons, 'No restore drill recorded'], used);
  used.push(restore);
  const s = summaryOf(restore, 'velero')!;
  const took =
    Date.parse(s.completionTimestamp ?? '') -
    Date.parse(s.startTimestamp ?? '');
  if (s.phase !== 'Completed') {
    ok = false;
    reasons.push(
      `Restore drill ${s.name} ended ${s.phase ?? 'without a phase'}`,
    );
  } else if (!(took >= 0 && took <= rto)) {
    ok = false;
    reasons.push(
      `Restore drill ${s.name} took ${
        Number.isNaN(took) ? 'an unknown time' : humanAge(took)
      }, beyond RTO ${ctx.runbook.targets.rto}`,
    );
  } else
    reasons.push(
      `Restore drill ${s.name} finished in ${humanAge(took)} (RTO ${
        ctx.runbook.targets.rto
      })`,
    );
  return {
    status: ok ? 'pass' : 'fail',
    reasons,
    used,
    freshness: [
      { what: 'newest backup', at: new Date(newest) },
      {
        what: 'restore drill',
        at: documentTime(s.completionTimestamp, restore),
      },
    ],
  };
};

const dpoSignoff: Rule = ctx => {
  const { version, digest } = ctx.release;
  if (!version || !digest)
    return missing([
      'Sign-offs bind to a release: give its version and digest',
    ]);
  if (!ctx.requester) {
    return missing([
      `No release request on record for ${version}: the four-eyes rule needs to know who asked`,
    ]);
  }
  const active = activeSignoffs(ctx, 'dpo');
  const approval = active.find(
    s => s.decision === 'approved' && s.signer !== ctx.requester,
  );
  const rejection = active.find(s => s.decision === 'rejected');
  if (rejection)
    return {
      status: 'fail',
      reasons: [
        `DPO ${rejection.signer} rejected ${version} (${shortDigest(
          digest,
        )}): ${rejection.comment ?? ''}`,
      ],
      used: [],
    };
  if (approval)
    return {
      status: 'pass',
      reasons: [
        `Approved by DPO ${
          approval.signer
        } at ${approval.createdAt.toISOString()}`,
      ],
      used: [],
    };
  return missing([`No DPO approval of ${version} (${shortDigest(digest)})`]);
};

/**
 * Sign-offs of one role for the release that stand: not revoked, and only each signer's newest
 * decision (an approval after a rejection replaces it).
 */
export function activeSignoffs(
  ctx: GateContext,
  role: 'po' | 'dpo' | 'security',
) {
  const revoked = new Set(
    ctx.signoffs.filter(s => s.decision === 'revoked').map(s => s.revokes),
  );
  const standing = ctx.signoffs.filter(
    s =>
      s.role === role &&
      s.decision !== 'revoked' &&
      !revoked.has(s.id) &&
      s.release.version === ctx.release.version &&
      s.release.digest === ctx.release.digest,
  );
  const newestBySigner = new Map<string, (typeof standing)[number]>();
  for (const s of standing) {
    const seen = newestBySigner.get(s.signer);
    if (!seen || seen.createdAt <= s.createdAt) newestBySigner.set(s.signer, s);
  }
  return [...newestBySigner.values()];
}

/** The rule of each gate. */
export const RULES: Record<GateId, Rule> = {
  'acronym-clarity': acronymClarity,
  'secret-hygiene': secretHygiene,
  'migration-controls': migrationControls,
  'image-scanning': imageScanning,
  'progressive-delivery': progressiveDelivery,
  'policy-enforcement': policyEnforcement,
  'monitoring-alerting': monitoringAlerting,
  'documentation-completeness': documentationCompleteness,
  'rto-rpo-verification': rtoRpoVerification,
  'dpo-signoff': dpoSignoff,
};
