import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  EvidenceKind,
  VeleroSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import {
  getArray,
  getBoolean,
  getObject,
  getString,
  getStringMap,
  Obj,
  isKubernetesKind,
  optionalNumber,
  requireMetadata,
  requireObject,
  stripNoise,
  subjectFromLabels,
} from './k8s';

const names = (spec: Obj | undefined, key: string) => {
  const list = (getArray(spec, key) ?? []).filter(
    (n): n is string => typeof n === 'string' && n !== '',
  );
  return list.length ? list : undefined;
};

/** The namespaces (and label selection) a Backup's or Restore's spec covers. */
function coverage(spec: Obj | undefined): Partial<VeleroSummary> {
  const out: Partial<VeleroSummary> = {
    includedNamespaces: names(spec, 'includedNamespaces'),
    excludedNamespaces: names(spec, 'excludedNamespaces'),
    includeClusterResources: getBoolean(spec, 'includeClusterResources'),
  };
  if (
    getObject(spec, 'labelSelector') ||
    getArray(spec, 'orLabelSelectors')?.length
  )
    out.labelSelector = true;
  return Object.fromEntries(
    Object.entries(out).filter(([, v]) => v !== undefined),
  );
}

/** Velero `Backup` and `Restore` (velero.io/v1), as `kubectl get … -o yaml` prints them. */
function veleroParser(
  object: VeleroSummary['object'],
  kind: EvidenceKind,
): EvidenceParser {
  return {
    kind,
    detect: evidenceDetectors[kind],
    parse(doc) {
      if (!isKubernetesKind(doc, 'velero.io', ['v1'], [object])) {
        throw new InputError(`Not a Velero ${object}`);
      }
      const meta = requireMetadata(doc, `Velero ${object}`);
      const what = `Velero ${object}`; // no name from the document: messages never echo input
      // The server writes status as it works; without one nothing was backed up or restored.
      const status = requireObject(doc, 'status', what);
      const summary: VeleroSummary = {
        type: 'velero',
        object,
        name: meta.name,
        phase: getString(status, 'phase'),
        startTimestamp: getString(status, 'startTimestamp'),
        completionTimestamp: getString(status, 'completionTimestamp'),
        errors: optionalNumber(status, 'errors', `${what} status`),
        warnings: optionalNumber(status, 'warnings', `${what} status`),
      };
      // What it covers: a backup of another namespace (or of nothing) is no backup of this one.
      Object.assign(summary, coverage(getObject(doc, 'spec')));
      if (object === 'Backup') {
        const progress = getObject(status, 'progress');
        summary.itemsBackedUp = itemCount(status, 'itemsBackedUp', what);
        summary.totalItems = optionalNumber(
          progress ?? {},
          'totalItems',
          `${what} status.progress`,
        );
        summary.schedule = meta.labels?.['velero.io/schedule-name'];
      }
      if (object === 'Restore') {
        // A restore is only evidence of something when we know which backup it restored.
        const backupName = getString(getObject(doc, 'spec'), 'backupName');
        const schedule = getString(getObject(doc, 'spec'), 'scheduleName');
        if (!backupName && !schedule) {
          throw new InputError(
            `${what} has no spec.backupName (nor spec.scheduleName)`,
          );
        }
        summary.backupName = backupName;
        summary.schedule = schedule;
        summary.itemsRestored = itemCount(status, 'itemsRestored', what);
        const mapping = getStringMap(
          getObject(doc, 'spec'),
          'namespaceMapping',
        );
        if (Object.keys(mapping).length) summary.namespaceMapping = mapping;
      }
      return {
        summary,
        subject: subjectFromLabels(meta.labels),
        sanitized: stripNoise(doc),
      };
    },
  };
}

/**
 * A count of `status.progress`: Velero omits zero (`omitempty`), so a progress without it is 0;
 * no progress at all (an older Velero) is unknown.
 */
function itemCount(status: Obj, key: string, what: string) {
  if (status.progress === undefined) return undefined;
  const progress = getObject(status, 'progress');
  if (!progress)
    throw new InputError(`${what} status.progress is not an object`);
  const n = optionalNumber(progress, key, `${what} status.progress`) ?? 0;
  if (!Number.isInteger(n) || n < 0)
    throw new InputError(
      `${what} status.progress.${key} is not a non-negative integer`,
    );
  return n;
}

export const veleroBackupParser = veleroParser('Backup', 'velero-backup');
export const veleroRestoreParser = veleroParser('Restore', 'velero-restore');
