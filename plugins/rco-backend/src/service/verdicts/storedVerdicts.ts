import { createHash } from 'node:crypto';
import {
  GateResult,
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import { EvidenceRecord } from '../../database/EvidenceStore';
import { NewVerdict, StoredGate } from '../../database/VerdictStore';
import { RcoConfig } from '../../config';
import { captureInputs } from '../../metrics/inputs';

/** What one environment's judgement keeps for the status route (JSON-safe). */
export interface JudgedPayload {
  status: ReleaseStatusResponse;
  signoffs: Array<Record<string, unknown>>;
  requester?: string;
  /** The evidence the gates used (their next steps read them), without raw documents. */
  evidence: Array<Record<string, unknown>>;
}

interface Judged {
  status: ReleaseStatusResponse;
  signoffs: Array<{ id: string; createdAt: Date } & Record<string, any>>;
  requester?: string;
  evidence: EvidenceRecord[];
  waivers: Array<{ id: string; expiresAt: Date; revokedAt?: Date | null }>;
  runbookHash?: string;
  environments?: ReturnType<typeof Object>[];
}

/**
 * The configuration a verdict was judged under: a verdict judged under another (a gate's
 * maxAge, its sources, the groups) is recomputed, and not served meanwhile.
 */
export function configDigest(config: RcoConfig, environments: string[]) {
  const durations = (_k: string, v: any) =>
    v && typeof v === 'object' && typeof v.toISO === 'function' ? v.toISO() : v;
  return createHash('sha256')
    .update(
      JSON.stringify(
        {
          gates: config.gates,
          signoffGroups: config.signoffGroups,
          waiverGroup: config.waiverGroup,
          environments,
          // Which bundles count depends on the signing policy (R2 M1).
          sigstore: config.sigstore,
          maxValidity: config.verdicts.maxValidity,
        },
        durations,
      ),
    )
    .digest('hex');
}

/**
 * The earliest moment time alone changes a judgement: a used piece of evidence ageing out, a
 * waiver ending; never later than `cap` (what the console is not told of is seen by then).
 */
export function validUntilOf(judged: Judged[], now: Date, cap: Date): Date {
  let until = cap.getTime();
  const consider = (iso?: string | Date | null) => {
    if (!iso) return;
    const t = new Date(iso).getTime();
    if (Number.isFinite(t) && t > now.getTime() && t < until) until = t;
  };
  for (const j of judged) {
    for (const gate of j.status.gates) {
      consider(gate.expiresAt);
      consider(gate.changesAt);
      consider(gate.waiver?.expiresAt);
    }
    for (const w of j.waivers) if (!w.revokedAt) consider(w.expiresAt);
  }
  return new Date(until);
}

const gateView = (g: GateResult): StoredGate => ({
  id: g.id,
  title: g.title,
  status: g.status,
  ...(g.expiresAt ? { expiresAt: g.expiresAt } : {}),
  ...(g.waiver ? { waivedUntil: g.waiver.expiresAt } : {}),
  ...(g.changesAt ? { changesAt: g.changesAt } : {}),
});

/** A judgement as the status route will read it back: only the evidence its gates used. */
export function payloadOf(judged: Judged): JudgedPayload {
  const used = new Set(
    judged.status.gates.flatMap(g => g.evidence.map(e => e.id)),
  );
  // Its dates become ISO strings once, when VerdictStore.replace writes it as JSON (it was
  // serialised twice per environment before: 0.4 s of a deploy burst's profile).
  return {
    status: judged.status,
    signoffs: judged.signoffs,
    requester: judged.requester,
    evidence: judged.evidence.filter(r => used.has(r.id)),
  } as unknown as JudgedPayload;
}

/** Dates back from the JSON a payload is stored as. */
export function revivePayload(payload: JudgedPayload) {
  const date = (v: unknown) => (typeof v === 'string' ? new Date(v) : v);
  return {
    status: payload.status,
    requester: payload.requester,
    signoffs: payload.signoffs.map(s => ({
      ...s,
      createdAt: date(s.createdAt),
    })) as any[],
    evidence: payload.evidence.map(r => {
      const p = r.provenance as Record<string, unknown> | undefined;
      return {
        ...r,
        collectedAt: date(r.collectedAt),
        ...(p
          ? {
              provenance: {
                ...p,
                firstObservedAt: date(p.firstObservedAt),
                observedAt: date(p.observedAt),
              },
            }
          : {}),
      };
    }) as unknown as EvidenceRecord[],
  };
}

/** The rows one computation stores: '' (no environment, with every environment's summary) and each environment. */
export function verdictRows(
  computed: {
    base: Judged;
    perEnvironment: Judged[];
  },
  environments: string[],
  meta: {
    readAt: Date;
    basisSeq: number;
    readSeq: number;
    judgedChanges: number;
    configDigest: string;
    now: Date;
    cap: Date;
  },
): NewVerdict[] {
  const validUntil = validUntilOf(
    [computed.base, ...computed.perEnvironment],
    meta.now,
    meta.cap,
  );
  const row = (environment: string, j: Judged, extra = {}): NewVerdict => ({
    entityRef: j.status.entityRef,
    environment,
    release: {
      version: j.status.release.version,
      digest: j.status.release.digest,
    },
    runbookVersion: j.status.runbookVersion,
    ready: j.status.summary.ready,
    gates: j.status.gates.map(gateView),
    summary: j.status.summary,
    judged: { ...payloadOf(j), ...extra },
    validUntil,
    judgedAt: meta.now,
    readAt: meta.readAt,
    basisSeq: meta.basisSeq,
    readSeq: meta.readSeq,
    judgedChanges: meta.judgedChanges,
    configDigest: meta.configDigest,
  });
  return [
    {
      ...row('', computed.base, { environments: computed.base.environments }),
      // Every environment's row was judged from these (one read): kept once, for the replay.
      inputs: captureInputs(computed.base, meta.now),
    },
    ...environments.map((env, i) => row(env, computed.perEnvironment[i])),
  ];
}
