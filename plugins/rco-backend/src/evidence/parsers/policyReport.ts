import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  PolicyReportSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import { narrowing } from './narrowing';
import {
  Obj,
  getArray,
  getObject,
  getString,
  isObject,
  requireMetadata,
  stripNoise,
  subjectFromLabels,
} from './k8s';

/**
 * Kyverno / wg-policy `PolicyReport` and `ClusterPolicyReport`, and their successor OpenReports
 * `Report` / `ClusterReport`: the same shape under a new group.
 */
const RESULTS = ['pass', 'fail', 'warn', 'error', 'skip'] as const;
type Result = (typeof RESULTS)[number];
type Counts = PolicyReportSummary['counts'];
type Failure = PolicyReportSummary['failures'][number];

/** ClusterPolicyReports can hold thousands of results; the counts stay exact. */
const MAX_FAILURES = 100;

const isResult = (value: unknown): value is Result =>
  typeof value === 'string' && (RESULTS as readonly string[]).includes(value);

/** `namespace/kind/name`, the way OpenReports prints an ObjectReference. */
function describeReference(ref: Obj | undefined): string | undefined {
  if (!ref) return undefined;
  const kind = getString(ref, 'kind')?.toLowerCase();
  const parts = [getString(ref, 'namespace'), kind, getString(ref, 'name')];
  const text = parts.filter(Boolean).join('/');
  return text || undefined;
}

function readCounts(summary: Obj, what: string): Counts {
  const counts: Counts = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const key of RESULTS) {
    const value = summary[key];
    // Older writers omit zero counts.
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new InputError(
        `${what} summary.${key} is not a non-negative integer`,
      );
    }
    counts[key] = value;
  }
  return counts;
}

// Type guard over the shared detector (rco-common), so parse() reads the document as an object.
const detect = (doc: unknown): doc is Obj =>
  evidenceDetectors['policy-report'](doc);

export const policyReportParser: EvidenceParser = {
  kind: 'policy-report',
  detect,

  parse(doc) {
    if (!detect(doc)) {
      throw new InputError(
        'Not a PolicyReport, ClusterPolicyReport or OpenReports Report',
      );
    }
    const what = String(doc.kind);
    const meta = requireMetadata(doc, what);
    const scope = describeReference(getObject(doc, 'scope'));

    const rawResults = doc.results ?? [];
    if (!Array.isArray(rawResults)) {
      throw new InputError(`${what}: results is not a list`);
    }
    const computed: Counts = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    const failures: Failure[] = [];
    rawResults.forEach((entry, i) => {
      const field = `${what}: results[${i}]`;
      if (!isObject(entry)) throw new InputError(`${field} is not an object`);
      const policy = getString(entry, 'policy');
      if (!policy) throw new InputError(`${field} has no policy`);
      const result = entry.result;
      if (!isResult(result)) {
        throw new InputError(
          `${field}.result is not one of ${RESULTS.join(', ')}`,
        );
      }
      computed[result] += 1;
      if (result !== 'fail' && result !== 'error') return;
      const base: Failure = {
        policy,
        rule: getString(entry, 'rule'),
        result,
        message: getString(entry, 'message'),
      };
      // One failure per checked resource: a gate asks which objects fail, not which rules.
      const resources = (getArray(entry, 'resources') ?? []).filter(isObject);
      if (resources.length === 0) {
        // A result without resources is about the report's scope (the spec says so).
        failures.push({ ...base, resource: scope });
      } else {
        for (const ref of resources)
          failures.push({ ...base, resource: describeReference(ref) });
      }
    });

    // The report's own summary is authoritative: generators may cap the results they list.
    const summary = getObject(doc, 'summary');
    const counts = summary ? readCounts(summary, what) : computed;

    const result: PolicyReportSummary = {
      type: 'policy-report',
      name: meta.name,
      namespace: meta.namespace,
      scope,
      counts,
      failures: failures.slice(0, MAX_FAILURES),
    };
    if (failures.length > MAX_FAILURES) {
      result.failuresOmitted = failures.length - MAX_FAILURES;
    }
    // Written by the Kubernetes collector when it narrowed a cluster-wide report to one place.
    const { unlisted } = narrowing(doc);
    if (unlisted) result.unlistedFailures = unlisted;
    return {
      summary: result,
      subject: subjectFromLabels(meta.labels),
      sanitized: stripNoise(doc),
    };
  },
};
