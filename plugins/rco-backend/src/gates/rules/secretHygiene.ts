import { EvidenceRecord } from '../../database/EvidenceStore';
import { evidenceOf, inAge, sameSubject, summaryOf } from '../helpers';
import { fresh, missing, Rule } from './shared';

export const secretHygiene: Rule = ctx => {
  const scans = evidenceOf(ctx, ['gitleaks', 'trufflehog']);
  // Only reports about what the newest one is about speak (an old finding of another image or
  // commit must not fail every later release); among those, every in-age report stands: a later
  // clean scan of the same thing does not erase a finding.
  const sameAsNewest = (records: EvidenceRecord[]) =>
    inAge(
      ctx,
      records.filter(r => sameSubject(r, records[0])),
    );
  const trivyScans = evidenceOf(ctx, ['trivy']);
  const trivyWithSecrets = (trivyScans.length ? sameAsNewest(trivyScans) : [])
    .filter(r => (summaryOf(r, 'vulnerability-scan')?.secrets.length ?? 0) > 0)
    .slice(0, 1);
  const [vault] = evidenceOf(ctx, ['vault-attestation']);
  const reasons: string[] = [];
  const used: EvidenceRecord[] = [];
  let failed = false;
  const newestByTool = new Map<string, EvidenceRecord>();
  for (const scan of scans)
    if (!newestByTool.has(scan.kind)) newestByTool.set(scan.kind, scan);
  const blockingOf = (r: EvidenceRecord) => {
    const x = summaryOf(r, 'secret-scan')!;
    return x.tool === 'trufflehog'
      ? x.findings.filter(f => f.verified)
      : x.findings;
  };
  for (const scan of newestByTool.values()) {
    const same = sameAsNewest(scans.filter(r => r.kind === scan.kind));
    const withFindings = same.filter(r => blockingOf(r).length > 0);
    used.push(...(withFindings.length ? withFindings : [scan]));
    const s = summaryOf(scan, 'secret-scan')!;
    const seen = new Set<string>();
    const blocking = withFindings.flatMap(blockingOf).filter(f => {
      const key = `${f.rule}|${f.file}|${f.line}|${f.fingerprint}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
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
