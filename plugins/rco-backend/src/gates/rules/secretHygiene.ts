import { EvidenceRecord } from '../../database/EvidenceStore';
import { evidenceOf, summaryOf } from '../helpers';
import { fresh, missing, Rule } from './shared';

export const secretHygiene: Rule = ctx => {
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
