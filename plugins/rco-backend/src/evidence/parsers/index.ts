import { alertingStateParser } from './alertingState';
import {
  argoAnalysisRunParser,
  argoAnalysisTemplateParser,
  argoRolloutParser,
} from './argo';
import {
  namingReportParser,
  rollbackDryRunParser,
  vaultAttestationParser,
} from './attestation';
import { cosignParser } from './cosign';
import { cyclonedxParser } from './cyclonedx';
import { gatekeeperParser } from './gatekeeper';
import { gitleaksParser } from './gitleaks';
import { grypeParser } from './grype';
import { helmHistoryParser, helmStatusParser } from './helm';
import { networkPolicyParser } from './networkPolicy';
import { policyReportParser } from './policyReport';
import { prometheusRuleParser } from './prometheusRule';
import { sigstoreBundleParser } from './sigstoreBundle';
import { spdxParser } from './spdx';
import { trivyParser } from './trivy';
import { trufflehogParser } from './trufflehog';
import { EvidenceParser } from './types';
import { veleroBackupParser, veleroRestoreParser } from './velero';
import { workloadParser } from './workload';

export type { EvidenceParser, ParsedEvidence } from './types';

/** Every built-in evidence reader; detection tries them in this order. */
export const builtinParsers: EvidenceParser[] = [
  trivyParser,
  grypeParser,
  cyclonedxParser,
  spdxParser,
  cosignParser,
  sigstoreBundleParser,
  gitleaksParser,
  trufflehogParser,
  policyReportParser,
  gatekeeperParser,
  veleroBackupParser,
  veleroRestoreParser,
  prometheusRuleParser,
  argoRolloutParser,
  argoAnalysisTemplateParser,
  argoAnalysisRunParser,
  helmHistoryParser,
  helmStatusParser,
  workloadParser,
  networkPolicyParser,
  vaultAttestationParser,
  rollbackDryRunParser,
  namingReportParser,
  alertingStateParser,
];
