/**
 * `rco.collectors.kubernetes`: where the Kubernetes collector looks, per environment and
 * evidence kind. Read once at start-up (src/config.ts calls this); bad values fail start-up with
 * the key named, never at collection time.
 */
import { Config } from '@backstage/config';
import { readDuration } from '../../config';
import {
  COLLECTED_EVIDENCE_KINDS,
  COLLECTED_KINDS,
  DEFAULT_LABEL_SELECTOR,
} from './kinds';
import { LabelSelectorError, parseLabelSelector } from './labelSelector';

/** What to do for one evidence kind in one environment. */
export interface KindSettings {
  enabled: boolean;
  /** The namespace to list; `undefined` means the place's own namespace. */
  namespace?: string;
  /** With `{name}` and `{namespace}` still in it. */
  labelSelector: string;
}

type PartialKind = Partial<KindSettings>;

export interface KubernetesCollectorConfig {
  enabled: boolean;
  pageSize: number;
  /** Per cluster and run, in milliseconds. */
  timeoutMs: number;
  /** Lists (or lookups) of one cluster read at the same time. */
  concurrency: number;
  /** Metadata reads per cluster and run to attribute policy reports through their resource. */
  ownerLookups: number;
  /** Settings of one evidence kind in one environment (environment overrides the defaults). */
  settings(environment: string, evidenceKind: string): KindSettings;
}

function readKinds(config: Config | undefined, at: string) {
  const out = new Map<string, PartialKind>();
  const kinds = config?.getOptionalConfig('kinds');
  for (const kind of kinds?.keys() ?? []) {
    if (!COLLECTED_EVIDENCE_KINDS.includes(kind)) {
      throw new Error(
        `${at}.kinds.${kind}: the Kubernetes collector reads ${COLLECTED_EVIDENCE_KINDS.join(
          ', ',
        )}; "${kind}" is not one of them`,
      );
    }
    const c = kinds!.getConfig(kind);
    const labelSelector = c.getOptionalString('labelSelector');
    if (labelSelector !== undefined) {
      // Checked with sample values so that a typo fails start-up, not every run.
      try {
        parseLabelSelector(
          labelSelector
            .replace(/\{name\}/g, 'x')
            .replace(/\{namespace\}/g, 'x'),
        );
      } catch (e) {
        if (e instanceof LabelSelectorError) {
          throw new Error(`${at}.kinds.${kind}.labelSelector: ${e.message}`);
        }
        throw e;
      }
    }
    out.set(kind, {
      enabled: c.getOptionalBoolean('enabled'),
      namespace: c.getOptionalString('namespace'),
      labelSelector,
    });
  }
  return out;
}

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as Partial<T>;

export function readKubernetesCollectorConfig(
  rco: Config | undefined,
): KubernetesCollectorConfig {
  const at = 'rco.collectors.kubernetes';
  const config = rco?.getOptionalConfig('collectors.kubernetes');
  const pageSize = config?.getOptionalNumber('pageSize') ?? 500;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10000) {
    throw new Error(`${at}.pageSize must be an integer from 1 to 10000`);
  }
  const timeout = readDuration(config, 'timeout', 'PT30S', {
    at,
    positive: true,
  });
  const concurrency = config?.getOptionalNumber('concurrency') ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new Error(`${at}.concurrency must be an integer from 1 to 32`);
  }
  const ownerLookups = config?.getOptionalNumber('ownerLookups') ?? 200;
  if (
    !Number.isInteger(ownerLookups) ||
    ownerLookups < 0 ||
    ownerLookups > 10000
  ) {
    throw new Error(`${at}.ownerLookups must be an integer from 0 to 10000`);
  }
  const base = readKinds(config, at);
  const perEnvironment = new Map<string, Map<string, PartialKind>>();
  const envs = config?.getOptionalConfig('environments');
  for (const env of envs?.keys() ?? []) {
    perEnvironment.set(
      env,
      readKinds(envs!.getConfig(env), `${at}.environments.${env}`),
    );
  }
  return {
    enabled: config?.getOptionalBoolean('enabled') ?? true,
    pageSize,
    timeoutMs: timeout.toMillis(),
    concurrency,
    ownerLookups,
    settings(environment, evidenceKind) {
      const spec = COLLECTED_KINDS.find(k => k.evidenceKind === evidenceKind);
      return {
        enabled: true,
        namespace: spec?.defaultNamespace,
        labelSelector: DEFAULT_LABEL_SELECTOR,
        ...defined(base.get(evidenceKind) ?? {}),
        ...defined(perEnvironment.get(environment)?.get(evidenceKind) ?? {}),
      };
    },
  };
}
