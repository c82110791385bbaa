import { GateId } from '@helix-portal/plugin-rco-common';
import { acronymClarity } from './acronymClarity';
import { secretHygiene } from './secretHygiene';
import { migrationControls } from './migrationControls';
import { imageScanning } from './imageScanning';
import { progressiveDelivery } from './progressiveDelivery';
import { policyEnforcement } from './policyEnforcement';
import { monitoringAlerting } from './monitoringAlerting';
import { documentationCompleteness } from './documentationCompleteness';
import { rtoRpoVerification } from './rtoRpoVerification';
import { dpoSignoff } from './dpoSignoff';
import { Rule } from './shared';

// Kept here too for callers that imported it with the rules (operations/preflight.ts).
export { activeSignoffs } from '../signoffs';
export type { Rule } from './shared';

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
