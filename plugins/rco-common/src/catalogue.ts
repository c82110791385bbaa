/**
 * The ten gates of the runbook's Final Review Gate Checklist (runbook v1.3, Section 15),
 * in checklist order.
 *
 * @public
 */
export const GATE_IDS = [
  'acronym-clarity',
  'secret-hygiene',
  'migration-controls',
  'image-scanning',
  'progressive-delivery',
  'policy-enforcement',
  'monitoring-alerting',
  'documentation-completeness',
  'rto-rpo-verification',
  'dpo-signoff',
] as const;

/** @public */
export type GateId = (typeof GATE_IDS)[number];

/** @public */
export interface GateDefinition {
  id: GateId;
  title: string;
  /** The checklist's verification method, as the runbook words it. */
  verification: string;
  /** Default maximum age of the evidence, as an ISO 8601 duration; undefined when it never ages. */
  maxAge?: string;
}

/**
 * Default gate catalogue. A runbook's own checklist may reword the verification and tighten
 * the maximum age; it cannot add or remove gates.
 *
 * @public
 */
export const GATES: ReadonlyArray<GateDefinition> = [
  {
    id: 'acronym-clarity',
    title: 'Acronym Clarity',
    verification: 'All dashboards, logs, and traces label correctly',
    maxAge: 'P7D',
  },
  {
    id: 'secret-hygiene',
    title: 'Secret Hygiene',
    verification: 'No secrets in logs/crash dumps; Vault policies verified',
    maxAge: 'P7D',
  },
  {
    id: 'migration-controls',
    title: 'Migration Controls',
    verification: 'RTO/RPO documented; rollback dry-run required',
    maxAge: 'P30D',
  },
  {
    id: 'image-scanning',
    title: 'Image & Dependency Scanning',
    verification: 'No CRITICAL/HIGH findings',
    maxAge: 'P7D',
  },
  {
    id: 'progressive-delivery',
    title: 'Progressive Delivery Validation',
    verification: 'Canary steps with latency/error-rate thresholds',
    maxAge: 'P30D',
  },
  {
    id: 'policy-enforcement',
    title: 'Policy Enforcement',
    verification: 'Gatekeeper/Kyverno rules validated',
    maxAge: 'P1D',
  },
  {
    id: 'monitoring-alerting',
    title: 'Monitoring & Alerting',
    verification: 'SLO/SLA alerts with human acknowledgment',
    maxAge: 'P30D',
  },
  {
    id: 'documentation-completeness',
    title: 'Documentation Completeness',
    verification: 'All artifacts stored in Helix Core repository',
  },
  {
    id: 'rto-rpo-verification',
    title: 'RTO/RPO Verification',
    verification: 'Backup timestamps confirm targets',
    maxAge: 'P1D',
  },
  {
    id: 'dpo-signoff',
    title: 'DPO Sign-off',
    verification: 'Pseudonymous user identifiers approved',
  },
];

/**
 * The seven pillars of the Helix Core Ethos.
 *
 * @public
 */
export const PILLAR_IDS = [
  'trust-by-design',
  'human-first',
  'verifiable-memory',
  'open-interfaces',
  'responsible-power',
  'reliability-over-hype',
  'craft-and-care',
] as const;

/** @public */
export type PillarId = (typeof PILLAR_IDS)[number];

/** @public */
export interface PillarDefinition {
  id: PillarId;
  title: string;
  /** Gates whose results feed the pillar. */
  gates: GateId[];
}

/** @public */
export const PILLARS: ReadonlyArray<PillarDefinition> = [
  {
    id: 'trust-by-design',
    title: 'Trust-by-Design',
    gates: ['image-scanning', 'secret-hygiene', 'policy-enforcement'],
  },
  {
    id: 'human-first',
    title: 'Human-First',
    gates: ['dpo-signoff', 'monitoring-alerting'],
  },
  {
    id: 'verifiable-memory',
    title: 'Verifiable Memory',
    gates: ['documentation-completeness'],
  },
  {
    id: 'open-interfaces',
    title: 'Open Interfaces',
    gates: ['acronym-clarity'],
  },
  {
    id: 'responsible-power',
    title: 'Responsible Power',
    gates: ['policy-enforcement'],
  },
  {
    id: 'reliability-over-hype',
    title: 'Reliability over Hype',
    gates: [
      'progressive-delivery',
      'monitoring-alerting',
      'rto-rpo-verification',
      'migration-controls',
    ],
  },
  {
    id: 'craft-and-care',
    title: 'Craft & Care',
    gates: ['documentation-completeness'],
  },
];

/**
 * The sixteen sections every runbook must carry, in order: section N is entry N-1. The Final
 * Review Gate Checklist is Section 15 as the runbook v1.3 cites it; Appendix A closes the
 * document as Section 16.
 *
 * @public
 */
export const REQUIRED_SECTIONS = [
  { id: 'scope-and-objectives', title: 'Scope & Objectives' },
  { id: 'prerequisites', title: 'Prerequisites' },
  { id: 'roles-and-responsibilities', title: 'Roles & Responsibilities' },
  { id: 'architecture-overview', title: 'Architecture Overview' },
  { id: 'deployment-procedure', title: 'Deployment Procedure' },
  { id: 'configuration-details', title: 'Configuration Details' },
  {
    id: 'monitoring-slos-observability',
    title: 'Monitoring, SLOs & Observability',
  },
  {
    id: 'data-stores-migrations-backups',
    title: 'Data Stores, Migrations & Backups',
  },
  { id: 'policy-enforcement', title: 'Policy Enforcement' },
  { id: 'security-baselines', title: 'Security Baselines' },
  { id: 'incident-response-rollback', title: 'Incident Response & Rollback' },
  { id: 'compliance-checklist', title: 'Compliance Checklist' },
  {
    id: 'change-management-documentation',
    title: 'Change Management & Documentation',
  },
  { id: 'glossary', title: 'Glossary' },
  { id: 'final-review-gate-checklist', title: 'Final Review Gate Checklist' },
  {
    id: 'appendix-a-baseline-helm-values',
    title: 'Appendix A – Baseline Helm Values',
  },
] as const;

/** @public */
export type RequiredSectionId = (typeof REQUIRED_SECTIONS)[number]['id'];
