import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  EvidenceSubject,
  HelmSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import {
  Obj,
  getArray,
  getNumber,
  getObject,
  getString,
  isObject,
} from './k8s';
import { maskValue } from './mask';

/**
 * `helm history -o json` and `helm status -o json`. Helm 3 and Helm 4 both print snake_case
 * (`app_version`, `last_deployed`); camelCase spellings are accepted too, since wrappers and
 * SDK-based tools re-serialise the same records that way.
 */

/** The first of several spellings of a string field. */
const pick = (obj: Obj | undefined, ...keys: string[]) =>
  keys.map(k => getString(obj, k)).find(v => v !== undefined);

type Revision = HelmSummary['revisions'][number];

/** `foo-0.1.0-beta.1` → `0.1.0-beta.1`: Helm joins chart name and SemVer with a dash. */
export function chartVersion(chart: string | undefined): string | undefined {
  return chart?.match(/^.+?-(v?\d+\.\d+\.\d+\S*)$/)?.[1];
}

type HistoryEntry = Obj & { revision: number; status: string; chart: string };

const isHistoryEntry = (entry: unknown): entry is HistoryEntry =>
  isObject(entry) &&
  typeof entry.revision === 'number' &&
  typeof entry.status === 'string' &&
  typeof entry.chart === 'string';

export const helmHistoryParser: EvidenceParser = {
  kind: 'helm-history',
  // An empty list could be anything; every entry must look like a Helm release record.
  detect: evidenceDetectors['helm-history'],

  parse(doc) {
    if (!Array.isArray(doc)) {
      throw new InputError('Helm history is not a JSON array');
    }
    if (doc.length === 0) throw new InputError('Helm history is empty');
    const revisions: Revision[] = doc.map((entry, i) => {
      if (!isHistoryEntry(entry)) {
        throw new InputError(
          `Helm history [${i}] needs a numeric revision, a status and a chart`,
        );
      }
      return {
        revision: entry.revision,
        status: entry.status,
        chart: entry.chart,
        appVersion: pick(entry, 'app_version', 'appVersion'),
        updated: getString(entry, 'updated'),
        description: getString(entry, 'description'),
        rollbackRevision:
          getNumber(entry, 'rollback_revision') ??
          getNumber(entry, 'rollbackRevision'),
      };
    });
    // What runs now is the deployed revision; failing that, the newest one.
    const current =
      revisions.find(r => r.status === 'deployed') ??
      [...revisions].sort((a, b) => b.revision - a.revision)[0];
    const version = chartVersion(current.chart);
    const summary: HelmSummary = { type: 'helm', source: 'history', revisions };
    return {
      summary,
      subject: version ? { version } : {},
      sanitized: structuredClone(doc),
    };
  },
};

type StatusDoc = Obj & { name: string; info: Obj & { status: string } };

// Kubernetes objects also have a name-ish shape; a Helm release never has apiVersion.
const isStatus = (doc: unknown): doc is StatusDoc =>
  evidenceDetectors['helm-status'](doc);

/**
 * `helm status -o json` prints the whole release record except the chart: user-supplied
 * values (`config`) and the rendered manifests, hooks and resources can all hold credentials
 * (Secret manifests, passwords in values). They are masked; the summary never reads them.
 */
function sanitizeStatus(doc: Obj): Obj {
  const copy = structuredClone(doc);
  if ('config' in copy) copy.config = maskValue(copy.config);
  if ('manifest' in copy) copy.manifest = maskValue(copy.manifest);
  for (const hook of (getArray(copy, 'hooks') ?? []).filter(isObject)) {
    if ('manifest' in hook) hook.manifest = maskValue(hook.manifest);
  }
  const resources = getObject(getObject(copy, 'info'), 'resources');
  for (const list of Object.values(resources ?? {})) {
    for (const item of Array.isArray(list) ? list.filter(isObject) : []) {
      if (item.kind !== 'Secret') continue;
      for (const key of ['data', 'stringData']) {
        if (key in item) item[key] = maskValue(item[key]);
      }
    }
  }
  return copy;
}

export const helmStatusParser: EvidenceParser = {
  kind: 'helm-status',
  detect: isStatus,

  parse(doc) {
    if (!isStatus(doc)) {
      throw new InputError('Helm status needs a name and info.status');
    }
    const info = doc.info;
    const version = doc.version;
    // Helm omits a zero `version` (its own golden file has none); anything else is malformed.
    if (
      version !== undefined &&
      (typeof version !== 'number' || !Number.isInteger(version))
    ) {
      throw new InputError('Helm status: version is not a revision number');
    }
    // Current Helm strips the chart from status output; older releases and wrappers keep it.
    const chartMeta = getObject(getObject(doc, 'chart'), 'metadata');
    const chartName = getString(chartMeta, 'name');
    const chartVer = getString(chartMeta, 'version');
    const summary: HelmSummary = {
      type: 'helm',
      source: 'status',
      release: doc.name,
      namespace: getString(doc, 'namespace'),
      firstDeployed: pick(info, 'first_deployed', 'firstDeployed'),
      revisions: [
        {
          revision: typeof version === 'number' ? version : 0,
          status: info.status,
          chart: chartName && chartVer ? `${chartName}-${chartVer}` : undefined,
          appVersion: pick(chartMeta, 'appVersion', 'app_version'),
          updated: pick(info, 'last_deployed', 'lastDeployed'),
          description: getString(info, 'description'),
        },
      ],
    };
    const subject: EvidenceSubject = chartVer ? { version: chartVer } : {};
    return { summary, subject, sanitized: sanitizeStatus(doc) };
  },
};
