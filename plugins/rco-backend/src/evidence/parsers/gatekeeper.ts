import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  GatekeeperConstraintSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import { narrowing } from './narrowing';
import {
  Obj,
  getObject,
  getString,
  isObject,
  optionalNumber,
  requireMetadata,
  stripNoise,
  subjectFromLabels,
} from './k8s';

/**
 * Gatekeeper constraints. Every ConstraintTemplate creates its own kind in this group
 * (`K8sRequiredLabels`, …), so any kind counts; the group alone is Gatekeeper's.
 */
const detect = (doc: unknown): doc is Obj =>
  evidenceDetectors['gatekeeper-constraint'](doc);

export { NARROWED_NAMESPACE, UNLISTED_VIOLATIONS } from './narrowing';

type Violation = GatekeeperConstraintSummary['violations'][number];

export const gatekeeperParser: EvidenceParser = {
  kind: 'gatekeeper-constraint',
  detect,

  parse(doc) {
    if (!detect(doc)) throw new InputError('Not a Gatekeeper constraint');
    const constraintKind = String(doc.kind);
    // The constraint's kind and name are the document's own text: messages never echo them.
    const meta = requireMetadata(doc, 'Gatekeeper constraint');
    const what = 'Gatekeeper constraint';
    // Without a status the audit has never reported on this constraint: no evidence at all.
    const status = getObject(doc, 'status');
    if (!status) {
      throw new InputError(`${what} has no status (has the audit run?)`);
    }

    const rawViolations = status.violations ?? [];
    if (!Array.isArray(rawViolations)) {
      throw new InputError(`${what}: status.violations is not a list`);
    }
    const violations: Violation[] = rawViolations.map((entry, i) => {
      if (!isObject(entry)) {
        throw new InputError(
          `${what}: status.violations[${i}] is not an object`,
        );
      }
      return {
        kind: getString(entry, 'kind'),
        name: getString(entry, 'name'),
        namespace: getString(entry, 'namespace'),
        message: getString(entry, 'message'),
      };
    });

    // The audit lists at most --constraint-violations-limit (20 by default) violations but
    // counts them all in totalViolations; older examples omit the total, so fall back.
    const total =
      optionalNumber(status, 'totalViolations', what) ?? violations.length;

    const summary: GatekeeperConstraintSummary = {
      type: 'gatekeeper-constraint',
      constraintKind,
      name: meta.name,
      // Gatekeeper enforces `deny` when the constraint does not say otherwise.
      enforcementAction:
        getString(getObject(doc, 'spec'), 'enforcementAction') ?? 'deny',
      totalViolations: total,
      violations,
      auditTimestamp: getString(status, 'auditTimestamp'),
    };
    // Written by the Kubernetes collector when it narrowed a cluster-scoped constraint to one
    // place's namespace (collectors/kubernetes/placeScope.ts).
    const { namespace, unlisted } = narrowing(doc);
    if (namespace) summary.namespace = namespace;
    if (unlisted) summary.unlistedViolations = unlisted;
    return {
      summary,
      subject: subjectFromLabels(meta.labels),
      sanitized: stripNoise(doc),
    };
  },
};
