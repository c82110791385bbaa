import { Config } from '@backstage/config';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { DeployCluster, DeployTarget } from '@helix-portal/plugin-rco-node';
import { legacyTargetKey, targetKey, targetParts } from './targetBinding';
import { TargetClaimRow } from '../database/TargetClaimStore';
import { readDuration } from '../config';

type Role = 'po' | 'dpo' | 'security';

/** One `rco.environments[]` entry. */
export interface EnvironmentConfig {
  name: string;
  driver: string;
  cluster?: string;
  namespace: string;
  helm?: {
    release?: string;
    chart?: string;
    chartVersion?: string;
    values?: Record<string, unknown>;
  };
  rollout?: { name?: string; container?: string };
  timeoutMs: number;
  requiredSignoffs: Role[];
  /** Image repository; the release digest is appended (`repo@sha256:…`). */
  imageRepository?: string;
  /**
   * Namespaces an entity may choose with the `rco.helix.dev/namespace` annotation. Only the
   * configured namespace unless listed: the portal's cluster credentials must not be pointed
   * at another team's namespace by whoever can edit a catalog file.
   */
  allowedNamespaces: string[];
  /**
   * Targets bound to one entity by configuration (ADR 0007): the entity's target here is this
   * namespace and release or Rollout name whatever its annotations say, and no other entity may
   * take it.
   */
  bindings: TargetBindingConfig[];
  /**
   * rco.environments[].window (issue 15): deploys here run only inside an accepted deployment
   * window when required; acceptedBy are the roles whose acceptance makes a window accepted
   * (default requiredSignoffs).
   */
  window?: { required: boolean; acceptedBy: Role[] };
  /**
   * rco.environments[].soak: how long a release must run here before the next environment of
   * rco.promotion.order may take it; unset: rco.promotion.soak (issue 15).
   */
  soak?: string;
}

/** One `rco.environments[].bindings` entry. */
export interface TargetBindingConfig {
  /** Full entity ref, lowercase. */
  entity: string;
  /** Helm release or Rollout name; default the entity's name. */
  name: string;
  namespace: string;
}

const ROLES: Role[] = ['po', 'dpo', 'security'];
/**
 * Per-entity overrides: `rco.helix.dev/<key>` or `rco.helix.dev/<key>.<environment>`. The chart
 * and the image repository come from configuration only (an annotation must not make the portal
 * install an arbitrary chart), and a namespace must be one the environment allows.
 */
export const DEPLOY_ANNOTATION_KEYS = [
  'namespace',
  'helm-release',
  'helm-chart-version',
  'rollout',
  'rollout-container',
] as const;

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Reads `rco.environments` of the `rco` section (readRcoConfig calls it); an empty list means
 * the Release tab has no deploy buttons.
 */
export function readEnvironments(rco: Config | undefined): EnvironmentConfig[] {
  const list = rco?.getOptionalConfigArray('environments') ?? [];
  const seen = new Set<string>();
  return list.map(c => {
    const name = c.getString('name');
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) {
      throw new Error(
        `rco.environments: "${name}" is not a valid environment name (lowercase letters, digits, -)`,
      );
    }
    if (seen.has(name))
      throw new Error(`rco.environments: "${name}" is declared twice`);
    seen.add(name);
    const roles = c.getOptionalStringArray('requiredSignoffs') ?? [];
    for (const role of roles) {
      if (!ROLES.includes(role as Role)) {
        throw new Error(
          `rco.environments[${name}].requiredSignoffs: "${role}" is not one of po, dpo, security`,
        );
      }
    }
    const namespace = c.getOptionalString('namespace') ?? 'default';
    const bindings = (c.getOptionalConfigArray('bindings') ?? []).map(b => {
      const ref = parseEntityRef(b.getString('entity'));
      const bound = {
        entity: stringifyEntityRef(ref).toLowerCase(),
        name: b.getOptionalString('name') ?? ref.name,
        namespace: b.getOptionalString('namespace') ?? namespace,
      };
      if (!K8S_NAME.test(bound.name) || !K8S_NAME.test(bound.namespace)) {
        throw new Error(
          `rco.environments[${name}].bindings: ${bound.entity} names "${bound.namespace}/${bound.name}", which is not a Kubernetes name`,
        );
      }
      return bound;
    });
    return {
      name,
      bindings,
      driver: c.getString('driver'),
      cluster: c.getOptionalString('cluster'),
      namespace: c.getOptionalString('namespace') ?? 'default',
      helm: c.has('helm')
        ? {
            release: c.getOptionalString('helm.release'),
            chart: c.getOptionalString('helm.chart'),
            chartVersion: c.getOptionalString('helm.chartVersion'),
            values: c.getOptionalConfig('helm.values')?.get() as
              | Record<string, unknown>
              | undefined,
          }
        : undefined,
      rollout: c.has('rollout')
        ? {
            name: c.getOptionalString('rollout.name'),
            container: c.getOptionalString('rollout.container'),
          }
        : undefined,
      timeoutMs: readDuration(c, 'timeout', 'PT10M', {
        at: `rco.environments[${name}]`,
      }).toMillis(),
      requiredSignoffs: roles as Role[],
      window: readWindow(c, name, roles as Role[]),
      ...(c.has('soak')
        ? {
            soak: readDuration(c, 'soak', 'PT24H', {
              at: `rco.environments[${name}]`,
            }).toISO()!,
          }
        : {}),
      imageRepository: c.getOptionalString('imageRepository'),
      allowedNamespaces: c.getOptionalStringArray('allowedNamespaces') ?? [
        c.getOptionalString('namespace') ?? 'default',
      ],
    };
  });
}

/** rco.environments[].window: a required window must name who accepts it. */
function readWindow(c: Config, name: string, requiredSignoffs: Role[]) {
  const acceptedBy =
    c.getOptionalStringArray('window.acceptedBy') ?? requiredSignoffs;
  for (const role of acceptedBy) {
    if (!ROLES.includes(role as Role)) {
      throw new Error(
        `rco.environments[${name}].window.acceptedBy: "${role}" is not one of po, dpo, security`,
      );
    }
  }
  const required = c.getOptionalBoolean('window.required') ?? false;
  // Nobody to accept would let an owner open a window alone.
  if (required && !acceptedBy.length) {
    throw new Error(
      `rco.environments[${name}].window.required needs window.acceptedBy or requiredSignoffs to name a role`,
    );
  }
  return { required, acceptedBy: [...new Set(acceptedBy)] as Role[] };
}

/**
 * Clusters from the Kubernetes plugin's own configuration (`kubernetes.clusterLocatorMethods`
 * of type `config`), so there is one copy of cluster credentials in the portal.
 */
export function readClusters(root: Config): Map<string, DeployCluster> {
  const clusters = new Map<string, DeployCluster>();
  for (const method of root.getOptionalConfigArray(
    'kubernetes.clusterLocatorMethods',
  ) ?? []) {
    if (method.getString('type') !== 'config') continue;
    for (const c of method.getOptionalConfigArray('clusters') ?? []) {
      clusters.set(c.getString('name'), {
        name: c.getString('name'),
        url: c.getString('url'),
        serviceAccountToken: c.getOptionalString('serviceAccountToken'),
        caData: c.getOptionalString('caData'),
        skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
      });
    }
  }
  return clusters;
}

/** Why deploys are refused while rco.environments is empty (the 409's message). */
export const DEPLOYS_OFF_MESSAGE =
  'Deploys are off: this portal has no rco.environments configured. Its operators add environments under rco.environments in app-config (see the install section of the README); gates, evidence and sign-offs work without them.';

/** Environments and clusters, resolved per entity. */
export class Environments {
  /** Configured bindings by target key (the lock key): each target to one entity. */
  readonly configuredBindings = new Map<string, string>();

  constructor(
    readonly list: EnvironmentConfig[],
    /** kubernetes.clusterLocatorMethods' clusters, read once (collectors use them too). */
    readonly clusters: Map<string, DeployCluster>,
  ) {
    for (const env of list) {
      if (env.cluster && !clusters.has(env.cluster)) {
        throw new Error(
          `rco.environments[${env.name}].cluster "${env.cluster}" is not a cluster of kubernetes.clusterLocatorMethods`,
        );
      }
      const entities = new Set<string>();
      for (const b of env.bindings ?? []) {
        if (entities.has(b.entity)) {
          throw new Error(
            `rco.environments[${env.name}].bindings: ${b.entity} is bound twice`,
          );
        }
        entities.add(b.entity);
        const key = targetKey(
          {
            ...b,
            environment: env.name,
            cluster: env.cluster,
            clusterUrl: env.cluster
              ? clusters.get(env.cluster)?.url
              : undefined,
            driver: env.driver,
          },
          env.driver === 'simulated',
          b.entity,
        );
        const holder = this.configuredBindings.get(key);
        if (holder && holder !== b.entity) {
          throw new Error(
            `rco.environments[${env.name}].bindings: ${b.namespace}/${b.name} is bound to both ${holder} and ${b.entity}`,
          );
        }
        this.configuredBindings.set(key, b.entity);
      }
    }
  }

  /** From the root configuration (tests; the plugin builds it from readRcoConfig's list). */
  static fromConfig(root: Config) {
    return new Environments(
      readEnvironments(root.getOptionalConfig('rco')),
      readClusters(root),
    );
  }

  /**
   * Deploys, rollbacks, dry-runs and break-glass stay off until the portal configures an
   * environment: 409 with what to configure, instead of an "unknown environment" for a name the
   * page could never have offered.
   */
  assertConfigured() {
    if (!this.list.length) throw new ConflictError(DEPLOYS_OFF_MESSAGE);
  }

  get(name: string): EnvironmentConfig {
    this.assertConfigured();
    const env = this.list.find(e => e.name === name);
    if (!env) {
      throw new InputError(
        `Unknown environment "${name}"; configured: ${
          this.list.map(e => e.name).join(', ') || 'none'
        }`,
      );
    }
    return env;
  }

  /** The deploy target of an entity in an environment: config, then the entity's annotations. */
  target(entity: Entity, name: string): DeployTarget {
    const env = this.get(name);
    const annotations = entity.metadata.annotations ?? {};
    const pick = (key: (typeof DEPLOY_ANNOTATION_KEYS)[number]) =>
      annotations[`rco.helix.dev/${key}.${name}`] ??
      annotations[`rco.helix.dev/${key}`];
    const entityName = entity.metadata.name;
    const entityRef = stringifyEntityRef(entity);
    const named = (key: (typeof DEPLOY_ANNOTATION_KEYS)[number]) => {
      const value = pick(key);
      if (value !== undefined && !K8S_NAME.test(value)) {
        throw new InputError(
          `${entityRef}: annotation rco.helix.dev/${key} "${value}" is not a Kubernetes name`,
        );
      }
      return value;
    };
    // A configured binding is the entity's target: its annotations cannot move it elsewhere.
    const binding = env.bindings?.find(
      b => b.entity === entityRef.toLowerCase(),
    );
    const namespace = binding?.namespace ?? named('namespace') ?? env.namespace;
    if (!binding && !env.allowedNamespaces.includes(namespace)) {
      throw new InputError(
        `${entityRef}: namespace "${namespace}" is not allowed in ${name} (rco.environments[${name}].allowedNamespaces: ${env.allowedNamespaces.join(
          ', ',
        )})`,
      );
    }
    return {
      entityRef,
      environment: name,
      driver: env.driver,
      cluster: env.cluster ? this.clusters.get(env.cluster) : undefined,
      namespace,
      helm: {
        release:
          binding?.name ??
          named('helm-release') ??
          env.helm?.release ??
          entityName,
        chart: env.helm?.chart ?? entityName,
        chartVersion: pick('helm-chart-version') ?? env.helm?.chartVersion,
        values: env.helm?.values,
      },
      rollout: {
        name:
          binding?.name ?? named('rollout') ?? env.rollout?.name ?? entityName,
        container: pick('rollout-container') ?? env.rollout?.container,
      },
      timeoutMs: env.timeoutMs,
    };
  }

  /**
   * What one operation at a time may change: the release or Rollout in its namespace and cluster
   * (two entities must not drive the same release at once). The same normalised key binds the
   * target to one entity (targetBinding.ts). The simulated cluster keeps one service per entity.
   */
  lockKey(target: DeployTarget, simulated: boolean) {
    return targetKey(targetParts(target), simulated, target.entityRef);
  }

  /** The lock key an operation created before keys named the cluster's URL recorded. */
  legacyLockKey(target: DeployTarget) {
    return legacyTargetKey(targetParts(target));
  }

  /**
   * The key a recorded claim holds today: its cluster is looked up by name, so a claim made
   * under an older key format, or before a cluster entry was renamed to an alias, still holds
   * the same release. A claim naming a cluster that is no longer configured keeps its key.
   */
  claimKey(row: TargetClaimRow): string {
    if (row.targetKey.split('|').length === 3) return row.targetKey;
    const cluster = row.cluster ? this.clusters.get(row.cluster) : undefined;
    if (row.cluster && !cluster) return row.targetKey;
    return targetKey(
      { ...row, clusterUrl: cluster?.url },
      false,
      row.entityRef,
    );
  }

  imageFor(
    entity: Entity,
    name: string,
    release: { version?: string; digest?: string },
  ) {
    const repo = this.get(name).imageRepository?.replace(
      '{name}',
      entity.metadata.name,
    );
    if (!repo) return undefined;
    if (release.digest) return `${repo}@${release.digest}`;
    return release.version ? `${repo}:${release.version}` : undefined;
  }
}
