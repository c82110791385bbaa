import {
  GatePolicyResponse,
  MetricsResponse,
  ReplayResponse,
} from '@helix-portal/plugin-rco-common';

/** Issue 17's test world: one entity's metrics with numbers no component makes up. */
export const ENTITY = { kind: 'Component', namespace: 'default', name: 'rco' };
export const REF = 'component:default/rco';

export function metrics(o: Partial<MetricsResponse> = {}): MetricsResponse {
  return {
    scope: {
      entityRef: REF,
      environment: 'production',
      from: '2026-09-01T00:00:00.000Z',
      to: '2026-11-30T00:00:00.000Z',
      timeZone: 'UTC',
      services: 1,
      failureWindow: 'P1D',
    },
    delivery: {
      metrics: [
        {
          id: 'deployment-frequency',
          title: 'Deployment frequency',
          value: 0.43,
          unit: 'per-day',
          sample: 39,
          definition: 'Successful production deploys a day over the period.',
          operations: ['op-df-1', 'op-df-2'],
        },
        {
          id: 'lead-time',
          title: 'Lead time for changes',
          value: 17.25,
          p90: 61.5,
          unit: 'hours',
          sample: 37,
          definition: 'From the first evidence of a digest to its deploy.',
          operations: ['op-lt-1'],
        },
        {
          id: 'change-failure-rate',
          title: 'Change failure rate',
          value: 0.128,
          unit: 'ratio',
          sample: 39,
          definition: 'Deploys followed within P1D by a rollback or failure.',
          operations: ['op-cf-1'],
        },
        {
          id: 'time-to-restore',
          title: 'Time to restore service',
          value: null,
          unit: 'hours',
          sample: 0,
          definition: 'From the failure signal to the restoring operation.',
          operations: [],
        },
      ],
      weeks: [
        {
          week: '2026-11-16',
          deploys: 4,
          failures: 1,
          leadTimeHours: 12.5,
          restoreHours: 1.75,
        },
        {
          week: '2026-11-23',
          deploys: 7,
          failures: 0,
          leadTimeHours: 9.25,
          restoreHours: null,
        },
      ],
      leadTimes: [
        { hours: 0.5 },
        { hours: 3 },
        { hours: 3.5 },
        { hours: 30 },
      ].map((l, i) => ({
        ...l,
        operationId: `op-lt-${i}`,
        entityRef: REF,
        digest: `sha256:${i}`,
        firstEvidenceAt: '2026-11-20T00:00:00.000Z',
        deployedAt: '2026-11-21T00:00:00.000Z',
      })),
      failures: [],
    },
    effectiveness: {
      gates: [
        {
          gate: 'image-scanning',
          title: 'Image scanning',
          judged: 40,
          blocked: 9,
          blockedReleases: 3,
          turnedGreen: { evidence: 2, waiver: 1, 'break-glass': 0 },
          blockedToGreenHours: { median: 6.5, p90: 20 },
          evidenceAgeHours: { median: 11, p90: 30.5, samples: 31 },
          escapes: { pass: 1, waiver: 1, 'break-glass': 0 },
        },
      ],
      cells: [
        { gate: 'image-scanning', week: '2026-11-16', judged: 8, blocked: 6 },
        { gate: 'image-scanning', week: '2026-11-23', judged: 5, blocked: 0 },
        {
          gate: 'rto-rpo-verification',
          week: '2026-11-16',
          judged: 8,
          blocked: 2,
        },
      ],
      blocks: [],
      escapes: [
        {
          gate: 'image-scanning',
          via: 'waiver',
          operationId: 'op-esc-1',
          entityRef: REF,
          environment: 'production',
          release: { version: '1.3.0' },
          failure: 'rolled-back',
          failedAt: '2026-11-18T09:30:00.000Z',
        },
      ],
      overrides: [
        override('w-1', 'waiver', 'image-scanning', 'failed', ['op-esc-1']),
        override('w-2', 'waiver', 'rto-rpo-verification', 'healthy', ['op-9']),
        override('bg-1', 'break-glass', undefined, 'unused', []),
      ],
      evidenceAges: [
        { gate: 'image-scanning', operationId: 'op-a', hours: 2 },
        { gate: 'image-scanning', operationId: 'op-b', hours: 26 },
      ],
    },
    demo: false,
    computedAt: '2026-11-30T12:00:00.000Z',
    ...o,
  };
}

function override(
  id: string,
  kind: 'waiver' | 'break-glass',
  gate: 'image-scanning' | 'rto-rpo-verification' | undefined,
  outcome: 'unused' | 'active' | 'healthy' | 'failed',
  operations: string[],
) {
  return {
    kind,
    id,
    entityRef: REF,
    gate,
    environment: 'production',
    releaseVersion: '1.3.0',
    grantedBy: 'user:default/samir.haddad',
    justification: `Justified ${id}`,
    createdAt: '2026-11-17T08:00:00.000Z',
    expiresAt: '2026-11-20T08:00:00.000Z',
    operations,
    outcome,
  };
}

export function replayResult(o: Partial<ReplayResponse> = {}): ReplayResponse {
  return {
    change: { gate: 'image-scanning', maxAge: 'P3D' },
    scope: { from: '2026-09-01', to: '2026-11-30', services: 12 },
    baseline: {
      replayed: 120,
      matched: 118,
      mismatched: [
        {
          operationId: 'op-mm-1',
          gate: 'image-scanning',
          stored: 'pass',
          replayed: 'stale',
        },
      ],
      unreplayable: 3,
    },
    past: [
      {
        operationId: 'op-past-1',
        entityRef: REF,
        environment: 'production',
        release: { version: '1.2.9' },
        judgedAt: '2026-11-10T10:00:00.000Z',
        before: 'pass',
        after: 'stale',
        decisionBefore: 'allowed',
        decisionAfter: 'blocked',
      },
    ],
    inFlight: [
      {
        entityRef: 'component:default/billing',
        environment: 'staging',
        release: { version: '4.0.1' },
        before: 'pass',
        after: 'stale',
        readyBefore: true,
        readyAfter: false,
      },
    ],
    inFlightJudged: 14,
    durationMs: 240,
    demo: false,
    ...o,
  };
}

export const policy = (): GatePolicyResponse => ({
  gates: [
    {
      gate: 'image-scanning',
      title: 'Image scanning',
      maxAge: 'P7D',
      blockingSeverities: ['CRITICAL', 'HIGH'],
      signoff: false,
    },
    {
      gate: 'rto-rpo-verification',
      title: 'RTO/RPO verification',
      maxAge: 'P1D',
      signoff: false,
    },
    { gate: 'dpo-signoff', title: 'DPO sign-off', signoff: true },
  ],
  environments: ['staging', 'production'],
  failureWindow: 'P1D',
});
