import { Config } from '@backstage/config';
import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { GATE_IDS, GateId } from '@helix-portal/plugin-rco-common';
import { Duration } from 'luxon';
import { readFileSync } from 'node:fs';
import { GateConfig } from './gates/types';
import { EVIDENCE_SOURCES } from './gates/sourcePolicy';
import { EvidenceSource } from './database/EvidenceStore';
import { normalizeEntityRef } from './lib/entityRefs';
import { readRcoGroupRef } from '@helix-portal/plugin-rco-node';
import {
  PrometheusCollectorConfig,
  readPrometheusCollectorConfig,
} from './collectors/prometheus/config';
import { readSigstoreConfig, SigstoreConfig } from './evidence/sigstore/config';
import {
  KubernetesCollectorConfig,
  readKubernetesCollectorConfig,
} from './collectors/kubernetes/config';
import { EnvironmentConfig, readEnvironments } from './operations/environments';
import { compileFreeze, FreezeRule } from './service/road/freezes';
import { AttestationKey, readAttestationKey } from './service/dossier/dsse';

/** The plugin's configuration, read once at start (see config.d.ts). */
export interface RcoConfig {
  /** Ledger checkpoints and verification (ADR 0004). */
  ledger: {
    /** Signs chain-head checkpoints; absent: checkpoints are unsigned. Never logged. */
    checkpointKey?: Buffer;
    /** Shortest time between two on-demand verification runs. Default PT1M. */
    onDemandInterval: Duration;
    /** How often a backend re-hashes every chain from its start. Default P1D. */
    fullVerificationInterval: Duration;
    /** rco.ledger.schedule: when to verify and checkpoint; LedgerVerifier's default when unset. */
    schedule?: SchedulerServiceTaskScheduleDefinition;
  };
  /** rco.runbooks.schedule: when to re-read every runbook; scheduleRunbookRefresh's default when unset. */
  runbookSchedule?: SchedulerServiceTaskScheduleDefinition;
  gates: GateConfig;
  maxUploadBytes: number;
  /**
   * Group whose members may sign for each role. A role without a group names nobody: no catalog
   * group gets power because of its name, and a release that needs that role cannot pass.
   */
  signoffGroups: Record<'po' | 'dpo' | 'security', string | undefined>;
  /** Group whose members may revoke other people's sign-offs; unset: only the signer revokes. */
  signoffRevokeGroup?: string;
  /** Group whose members may waive a gate; unset: nobody waives. */
  waiverGroup?: string;
  waiverMaxDuration: Duration;
  /**
   * Service principals (CI tokens) and the entities each may read and write evidence for;
   * subjects as normalizeServiceSubject spells them, entities as normalizeEntityRef does.
   */
  ciSubjects: Array<{
    subject: string;
    entities: string[];
    /** Operations the token may run: deploy, rollback, control. None by default. */
    operations: string[];
  }>;
  /** Group whose members may record break-glass overrides; unset: nobody breaks glass. */
  breakGlassGroup?: string;
  /** Longest break-glass override. */
  breakGlassMaxDuration: Duration;
  /** rco.windows.maxDuration: longest deployment window (issue 15). Default P1D. */
  windowMaxDuration: Duration;
  /** Load demo evidence into the embedded default portal. */
  demoEvidence: boolean;
  /**
   * How often (real time) the local portal asks what demo evidence is due at its clock's now
   * (rco.demoEvidenceSchedule); the keeper's default (every 30 s) when unset.
   */
  demoEvidenceSchedule?: SchedulerServiceTaskScheduleDefinition;
  /** The local portal's simulated clusters (rco.demoClusters; only with demoEvidence). */
  demoClusters: DemoClusterConfig[];
  /**
   * rco.demoEvidenceDir: the folder holding demo-evidence.yaml, relative to the backend's
   * working directory. The plugin does not start with demoEvidence on and this unset.
   */
  demoEvidenceDir?: string;
  /**
   * rco.demoHistory (issue 17): with the demo on, write the examples' generated 90-day history at
   * start (default true). Off where a test follows the demo's own story alone.
   */
  demoHistory: boolean;
  /** rco.environments: where releases are deployed (operations/environments.ts reads each). */
  environments: EnvironmentConfig[];
  /** The road to production (issue 15): see src/service/road/. */
  promotion: {
    /** rco.promotion.order: environment names; empty = no promotion rule. */
    order: string[];
    /** rco.promotion.soak: ISO duration an environment needs before the next may take a release. Default PT0S. */
    soak: string;
  };
  /** rco.freezes: periods when deploys are refused (service/road/freezes.ts). */
  freezes: FreezeRule[];
  /** Timing of deploys and rollbacks (operations/OperationRunner.ts). */
  operations: {
    /** rco.operations.leaseDuration: how long an instance holds an operation without a heartbeat. Default PT30S. */
    leaseDuration: Duration;
    /** rco.operations.pollInterval: how often a running operation asks its driver. Default PT2S. */
    pollInterval: Duration;
    /** rco.operations.confirmationTimeout: operations nobody confirms within this are aborted. Default PT1H. */
    confirmationTimeout: Duration;
  };
  /** rco.simulated.stepDelay: time between the simulated driver's canary steps. Default PT1S. */
  simulatedStepDelay: Duration;
  /** Entity kinds that may deploy, roll back and see targets (ADR 0007). Default Component. */
  operationEntityKinds: string[];
  /** How long a target's revision history read is shared by viewers. Default PT10S. */
  historyCacheTtl: Duration;
  /** rco.collectors.prometheus: the monitoring stacks the console reads (issue 13). */
  prometheus: PrometheusCollectorConfig;
  /** rco.sigstore: the trusted root and signer identities bundles are verified against (issue 13). */
  sigstore: SigstoreConfig;
  /** rco.collectors.kubernetes: where the Kubernetes collector looks (issue 13). */
  kubernetesCollector: KubernetesCollectorConfig;
  /** Stored verdicts (issue 14): see src/service/verdicts/VerdictService.ts. */
  verdicts: {
    /** rco.verdicts.maxValidity: longest a verdict is kept without recomputing. Default PT1H. */
    maxValidity: Duration;
    /** rco.verdicts.schedule; default every 15 seconds. */
    schedule?: SchedulerServiceTaskScheduleDefinition;
  };
  /** rco.portfolio.expiresSoonHorizon: what "expires soon" means on the portfolio. Default P3D. */
  expiresSoonHorizon: Duration;
  /**
   * rco.metrics.failureWindow (issue 17): a deploy followed within this by a rollback, a
   * break-glass override or a failed analysis counts as a failed change. Default P1D.
   */
  failureWindow: Duration;
  /**
   * rco.attestation (issue 15, point 4): the key that signs release attestations (absent: none
   * are made) and the verifier's id they carry (app.baseUrl, else backend.baseUrl).
   */
  attestation: { key?: AttestationKey; verifierId: string };
  /**
   * Reviews after the deploy (issue 15): the environments whose deploys and rollbacks are
   * reviewed. The last of rco.promotion.order when configured, else rco.reviews.environments
   * (default production).
   */
  reviewEnvironments: string[];
  /** Evidence collection (issue 13): see src/collectors/CollectionService.ts. */
  collection: {
    /** rco.collection.schedule; default every 5 minutes (DEFAULT_COLLECTION_SCHEDULE). */
    schedule?: SchedulerServiceTaskScheduleDefinition;
    /** rco.collection.timeout: longest time one collector may take in a run. Default PT2M. */
    timeout: Duration;
    /** rco.collection.refreshCooldown: shortest time between two refreshes of one entity. Default PT30S. */
    refreshCooldown: Duration;
    /** rco.collection.maxConcurrentRefreshes: owners' refreshes one instance runs at once. Default 2. */
    maxConcurrentRefreshes: number;
    /**
     * rco.collection.observationGranularity: an unchanged object's last observation is moved
     * (and written to the ledger) only once it is older than this. Default PT1H.
     */
    observationGranularity: Duration;
  };
}

/** An ISO 8601 duration (`PT30S`, `P7D`), or undefined when the text is not one. */
export function parseDuration(text: string): Duration | undefined {
  const duration = Duration.fromISO(text);
  return duration.isValid ? duration : undefined;
}

/**
 * The one reader of a duration setting: `key` (ISO 8601) of `config`, or `fallback` when it is
 * unset. `config` is the `rco` section unless `at` names where it sits (an environment of
 * rco.environments, a collector's section), so the error names the full key and stops the start.
 * `positive` refuses zero too (a timeout of nothing).
 */
export function readDuration(
  config: Config | undefined,
  key: string,
  fallback: string,
  options: { at?: string; positive?: boolean } = {},
): Duration {
  const value = config?.getOptionalString(key) ?? fallback;
  const duration = parseDuration(value);
  if (!duration || (options.positive && duration.toMillis() <= 0)) {
    throw new Error(
      `${options.at ?? 'rco'}.${key} must be a${
        options.positive ? ' positive' : 'n'
      } ISO 8601 duration such as ${fallback}, got "${value}"`,
    );
  }
  return duration;
}

/**
 * rco.demoEvidenceDir, which the demo needs: with rco.demoEvidence on and no folder set the
 * backend does not start (asked only when the demo starts, so readRcoConfig stays usable alone).
 */
export function requireDemoEvidenceDir(config: RcoConfig): string {
  if (!config.demoEvidenceDir)
    throw new Error(
      'rco.demoEvidenceDir is required with rco.demoEvidence: the folder holding demo-evidence.yaml',
    );
  return config.demoEvidenceDir;
}

/** A scheduler setting (`rco.<key>`), or undefined for the task's own default. */
function readSchedule(
  config: Config | undefined,
  key: string,
): SchedulerServiceTaskScheduleDefinition | undefined {
  return config?.has(key)
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig(key),
      )
    : undefined;
}

/**
 * The subject a service principal is known by here. Backstage gives a static external-access
 * token the subject configured for it as is (`ci-rco`), and a JWKS token `external:<sub>` (or
 * `external:<subjectPrefix>:<sub>`); the local portal configures the former and the tests mock
 * the latter. Both spellings name the same CI identity, so one `external:` prefix is dropped on
 * both sides of the comparison. Plugin-to-plugin tokens (`plugin:<id>`) keep their prefix: a
 * plugin is only ever matched by an entry that names it as `plugin:<id>`.
 */
export const normalizeServiceSubject = (subject: string) => {
  const rest = subject.replace(/^external:/, '');
  // An external token whose own subject reads `plugin:<id>` (a JWKS issuer chooses its `sub`)
  // is not that plugin: it keeps its prefix and never matches a `plugin:<id>` entry.
  return rest !== subject && rest.startsWith('plugin:') ? subject : rest;
};

function readCiSubjects(config: Config | undefined): RcoConfig['ciSubjects'] {
  const seen = new Set<string>();
  return (config?.getOptionalConfigArray('ci.subjects') ?? []).map(c => {
    const subject = normalizeServiceSubject(c.getString('subject'));
    // Two entries for one token would make its reach depend on their order.
    if (seen.has(subject)) {
      throw new Error(
        `rco.ci.subjects names ${subject} twice (ci-rco and external:ci-rco are the same subject)`,
      );
    }
    seen.add(subject);
    return {
      subject,
      entities: c.getStringArray('entities').map(e => {
        try {
          return normalizeEntityRef(e);
        } catch {
          throw new Error(
            `rco.ci.subjects[${subject}].entities: "${e}" is not an entity ref such as component:default/rco`,
          );
        }
      }),
      operations: c.getOptionalStringArray('operations') ?? [],
    };
  });
}

/**
 * The checkpoint key from rco.ledger.checkpointKey or the file checkpointKeyFile names (not
 * both); at least 32 bytes. Errors name the setting, never the key.
 */
function readCheckpointKey(config: Config | undefined): Buffer | undefined {
  const inline = config?.getOptionalString('ledger.checkpointKey');
  const file = config?.getOptionalString('ledger.checkpointKeyFile');
  if (inline && file) {
    throw new Error(
      'rco.ledger: set checkpointKey or checkpointKeyFile, not both',
    );
  }
  let key: Buffer | undefined;
  if (inline) key = Buffer.from(inline, 'utf8');
  if (file) {
    try {
      key = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
    } catch (e) {
      throw new Error(
        `rco.ledger.checkpointKeyFile: cannot read ${file} (${
          (e as any).code
        })`,
      );
    }
  }
  if (key && key.length < 32) {
    throw new Error(
      'rco.ledger checkpoint key is too short: use at least 32 random bytes',
    );
  }
  return key;
}

/**
 * rco.attestation: an ECDSA P-256 private key in PEM and its key id. A key that does not read
 * stops the start with a message naming the setting (never the key).
 */
function readAttestation(root: Config): RcoConfig['attestation'] {
  const pem = root.getOptionalString('rco.attestation.privateKey');
  const keyId = root.getOptionalString('rco.attestation.keyId');
  return {
    key: pem ? readAttestationKey(pem, keyId) : undefined,
    verifierId: (
      root.getOptionalString('app.baseUrl') ??
      root.getOptionalString('backend.baseUrl') ??
      'urn:helix-portal:rco'
    ).replace(/\/+$/, ''),
  };
}

/** rco.gates.<gate>.sources: which evidence sources may satisfy each gate (sourcePolicy.ts has the defaults). */
function readGateSources(config: Config | undefined) {
  const sources: Partial<Record<GateId, EvidenceSource[]>> = {};
  for (const gate of GATE_IDS) {
    const key = `gates.${gate}.sources`;
    const value = config?.getOptionalStringArray(key);
    if (!value) continue;
    const unknown = value.filter(
      v => !(EVIDENCE_SOURCES as readonly string[]).includes(v),
    );
    if (unknown.length)
      throw new Error(
        `rco.${key}: unknown source ${unknown.join(
          ', ',
        )} (use ${EVIDENCE_SOURCES.join(', ')})`,
      );
    sources[gate] = value as EvidenceSource[];
  }
  return sources;
}

// Group settings (sign-offs, waivers, break-glass): read as the permission policy module reads
// them (readRcoGroupRef): unset names nobody; a value that is not a full group or user ref stops
// the start, since it would match nobody while the start-up line says nothing is missing.
/**
 * The demo (seeded evidence and a clock anyone signed in may move forward) exists for a local
 * portal. The plugin refuses it under NODE_ENV=production itself: a Backstage that installs the
 * published package has no production guard of ours, and a movable clock there would expire
 * every waiver and override and age out failing scans at will.
 */
function readDemoEvidence(config?: Config): boolean {
  const on = config?.getOptionalBoolean('demoEvidence') ?? false;
  if (on && process.env.NODE_ENV === 'production') {
    throw new Error(
      'rco.demoEvidence is for a local portal only and is refused under NODE_ENV=production: remove it from the production configuration',
    );
  }
  return on;
}

/** One simulated cluster of the local portal (rco.demoClusters). */
export interface DemoClusterConfig {
  /** The name of its entry in kubernetes.clusterLocatorMethods. */
  name: string;
  /** The folder of YAML it serves, relative to the backend's working directory. */
  dir: string;
  /** The loopback port its entry's url names. */
  port: number;
  /** Resources it answers 403 for, as `<resource>.<group>` (`restores.velero.io`). */
  forbid: string[];
}

/**
 * rco.demoClusters: simulated Kubernetes APIs the local portal serves on loopback ports (issue
 * 13). Demo only: read with rco.demoEvidence, refused under NODE_ENV=production like it.
 */
function readDemoClusters(config?: Config): DemoClusterConfig[] {
  const entries = config?.getOptionalConfigArray('demoClusters') ?? [];
  if (entries.length && process.env.NODE_ENV === 'production') {
    throw new Error(
      'rco.demoClusters is for a local portal only and is refused under NODE_ENV=production: remove it from the production configuration',
    );
  }
  return entries.map((c, i) => {
    const port = c.getNumber('port');
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`rco.demoClusters[${i}].port must be a port number`);
    }
    return {
      name: c.getString('name'),
      dir: c.getString('dir'),
      port,
      forbid: c.getOptionalStringArray('forbid') ?? [],
    };
  });
}

export function readRcoConfig(root: Config): RcoConfig {
  const config = root.getOptionalConfig('rco');
  const prometheus = readPrometheusCollectorConfig(config);
  const maxAge: Partial<Record<GateId, string>> = {};
  for (const gate of GATE_IDS) {
    // Set or not at all (P7D is only the example an error shows).
    if (config?.getOptionalString(`gates.${gate}.maxAge`))
      maxAge[gate] = readDuration(
        config,
        `gates.${gate}.maxAge`,
        'P7D',
      ).toISO()!;
  }
  const granularity = readObservationGranularity(config, maxAge);
  return {
    verdicts: readVerdicts(config),
    expiresSoonHorizon: readDuration(
      config,
      'portfolio.expiresSoonHorizon',
      'P3D',
    ),
    failureWindow: readDuration(config, 'metrics.failureWindow', 'P1D'),
    attestation: readAttestation(root),
    reviewEnvironments: readReviewEnvironments(config),
    ledger: {
      checkpointKey: readCheckpointKey(config),
      onDemandInterval: readDuration(config, 'ledger.onDemandInterval', 'PT1M'),
      fullVerificationInterval: readDuration(
        config,
        'ledger.fullVerificationInterval',
        'P1D',
      ),
      schedule: readSchedule(config, 'ledger.schedule'),
    },
    runbookSchedule: readSchedule(config, 'runbooks.schedule'),
    gates: {
      maxAge,
      blockingSeverities: config?.getOptionalStringArray(
        'gates.image-scanning.blockingSeverities',
      ) ?? ['CRITICAL', 'HIGH'],
      helixCoreRepository:
        config?.getOptionalString(
          'gates.documentation-completeness.repository',
        ) ?? 'helix-core',
      sources: readGateSources(config),
      // The gates allow for it when ageing collected evidence (R3 M3).
      observationGranularity: granularity.toISO()!,
      monitoredEnvironments: Object.fromEntries(
        prometheus.environments.map(e => [e.environment, e.name]),
      ),
      // Issue 15: an overdue runbook review fails documentation-completeness only when asked.
      runbookReviewEnforce:
        config?.getOptionalBoolean('runbookReview.enforce') ?? false,
    },
    maxUploadBytes:
      config?.getOptionalNumber('evidence.maxUploadBytes') ?? 10 * 1024 * 1024,
    // No defaults: a group this section does not name grants nothing (see RcoConfig).
    signoffGroups: {
      po: readRcoGroupRef(config, 'signoffs.groups.po'),
      dpo: readRcoGroupRef(config, 'signoffs.groups.dpo'),
      security: readRcoGroupRef(config, 'signoffs.groups.security'),
    },
    signoffRevokeGroup: readRcoGroupRef(config, 'signoffs.revokeGroup'),
    waiverGroup: readRcoGroupRef(config, 'waivers.group'),
    waiverMaxDuration: readDuration(config, 'waivers.maxDuration', 'P7D'),
    ciSubjects: readCiSubjects(config),
    demoEvidence: readDemoEvidence(config),
    demoClusters: readDemoClusters(config),
    demoEvidenceSchedule: readSchedule(config, 'demoEvidenceSchedule'),
    demoEvidenceDir: config?.getOptionalString('demoEvidenceDir'),
    demoHistory: config?.getOptionalBoolean('demoHistory') ?? true,
    breakGlassGroup: readRcoGroupRef(config, 'breakGlass.group'),
    windowMaxDuration: readDuration(config, 'windows.maxDuration', 'P1D'),
    breakGlassMaxDuration: readDuration(
      config,
      'breakGlass.maxDuration',
      'PT4H',
    ),
    operationEntityKinds: config?.getOptionalStringArray(
      'operations.entityKinds',
    ) ?? ['Component'],
    historyCacheTtl: readDuration(
      config,
      'operations.historyCacheTtl',
      'PT10S',
    ),
    environments: readEnvironments(config),
    ...readRoad(config),
    operations: {
      leaseDuration: readDuration(config, 'operations.leaseDuration', 'PT30S'),
      pollInterval: readDuration(config, 'operations.pollInterval', 'PT2S'),
      confirmationTimeout: readDuration(
        config,
        'operations.confirmationTimeout',
        'PT1H',
      ),
    },
    simulatedStepDelay: readDuration(config, 'simulated.stepDelay', 'PT1S'),
    prometheus,
    sigstore: readSigstoreConfig(config),
    kubernetesCollector: readKubernetesCollectorConfig(config),
    collection: {
      schedule: readSchedule(config, 'collection.schedule'),
      timeout: readDuration(config, 'collection.timeout', 'PT2M'),
      refreshCooldown: readDuration(
        config,
        'collection.refreshCooldown',
        'PT30S',
      ),
      maxConcurrentRefreshes: (() => {
        const n =
          config?.getOptionalNumber('collection.maxConcurrentRefreshes') ?? 2;
        if (!Number.isInteger(n) || n < 1)
          throw new Error(
            `rco.collection.maxConcurrentRefreshes must be a whole number of at least 1, got ${n}`,
          );
        return n;
      })(),
      observationGranularity: granularity,
    },
  };
}

/**
 * Collected evidence ages from its last observation, which moves at most once per granularity:
 * it must stay well under the shortest maximum age a gate allows (a quarter of it, and of a
 * day), or unchanged evidence could read stale between two moves.
 */
function readObservationGranularity(
  config: Config | undefined,
  maxAge: Partial<Record<GateId, string>>,
): Duration {
  const granularity = readDuration(
    config,
    'collection.observationGranularity',
    'PT1H',
  );
  const shortest = Math.min(
    Duration.fromISO('P1D').toMillis(),
    ...Object.values(maxAge).map(v => Duration.fromISO(v!).toMillis()),
  );
  if (granularity.toMillis() < 0 || granularity.toMillis() > shortest / 4) {
    throw new Error(
      `rco.collection.observationGranularity must be at most a quarter of the shortest gate maxAge (and of a day): ${Duration.fromMillis(
        shortest / 4,
      )
        .rescale()
        .toISO()}, got ${granularity.toISO()}`,
    );
  }
  return granularity;
}

/** rco.verdicts: bounded, so a typo cannot leave verdicts unrecomputed for a year. */
function readVerdicts(config: Config | undefined): RcoConfig['verdicts'] {
  const maxValidity = readDuration(config, 'verdicts.maxValidity', 'PT1H');
  const ms = maxValidity.toMillis();
  if (ms < 60_000 || ms > 86_400_000)
    throw new Error(
      `rco.verdicts.maxValidity must be between PT1M and P1D, got ${maxValidity.toISO()}`,
    );
  return {
    maxValidity,
    schedule: readSchedule(config, 'verdicts.schedule'),
  };
}

/**
 * The environments whose deploys are reviewed afterwards: production is the end of the road when
 * a promotion order is configured (the road helper validates the order itself).
 */
function readReviewEnvironments(config: Config | undefined): string[] {
  const order = config?.getOptionalStringArray('promotion.order') ?? [];
  if (order.length) return [order[order.length - 1]];
  const named = config?.getOptionalStringArray('reviews.environments');
  if (named && !named.length)
    throw new Error(
      'rco.reviews.environments must name at least one environment (or be left out: production)',
    );
  return named ?? ['production'];
}

/**
 * rco.promotion and rco.freezes (issue 15). Every environment they name must be one of
 * rco.environments, and every freeze must compute (time zone, RRULE, end after start): a typo
 * would otherwise leave production unguarded without a word.
 */
function readRoad(
  config: Config | undefined,
): Pick<RcoConfig, 'promotion' | 'freezes'> {
  const known = (config?.getOptionalConfigArray('environments') ?? []).map(c =>
    c.getString('name'),
  );
  const order = config?.getOptionalStringArray('promotion.order') ?? [];
  for (const name of order) {
    if (!known.includes(name))
      throw new Error(
        `rco.promotion.order names "${name}", which is not one of rco.environments (${
          known.join(', ') || 'none'
        })`,
      );
  }
  if (new Set(order).size !== order.length)
    throw new Error('rco.promotion.order names an environment twice');
  const soak = readDuration(config, 'promotion.soak', 'PT0S');
  if (soak.toMillis() < 0)
    throw new Error(
      `rco.promotion.soak must not be negative, got ${soak.toISO()}`,
    );
  const names = new Set<string>();
  const freezes = (config?.getOptionalConfigArray('freezes') ?? []).map(c => {
    const name = c.getString('name');
    if (names.has(name))
      throw new Error(`rco.freezes: "${name}" is declared twice`);
    names.add(name);
    const at = `rco.freezes[${name}]`;
    const environments = c.getOptionalStringArray('environments');
    for (const env of environments ?? []) {
      if (!known.includes(env))
        throw new Error(
          `${at}.environments names "${env}", which is not one of rco.environments`,
        );
    }
    const entities = c.getOptionalStringArray('entities')?.map(e => {
      try {
        return normalizeEntityRef(e);
      } catch {
        throw new Error(
          `${at}.entities: "${e}" is not an entity ref such as component:default/rco`,
        );
      }
    });
    const rrule = c.getOptionalString('rrule');
    return compileFreeze({
      name,
      timeZone: c.getString('timeZone'),
      ...(environments ? { environments } : {}),
      ...(entities ? { entities } : {}),
      ...(rrule !== undefined ||
      c.has('dtstart') ||
      c.has('duration') ||
      !c.has('start')
        ? {
            recurring: {
              rrule: rrule ?? '',
              dtstart: c.getString('dtstart'),
              duration: c.getString('duration'),
            },
          }
        : {}),
      ...(c.has('start') || c.has('end')
        ? { once: { start: c.getString('start'), end: c.getString('end') } }
        : {}),
    });
  });
  return { promotion: { order, soak: soak.toISO()! }, freezes };
}
