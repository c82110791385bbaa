import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  NetworkPolicySummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import {
  Obj,
  getArray,
  getObject,
  getString,
  getStringMap,
  isObject,
  requireMetadata,
  requireObject,
  stripNoise,
  subjectFromLabels,
} from './k8s';

/** Kubernetes NetworkPolicy (networking.k8s.io/v1). */
const detect = (doc: unknown): doc is Obj =>
  evidenceDetectors['network-policy'](doc);

type Expression = NonNullable<
  NetworkPolicySummary['podSelectorExpressions']
>[number];

function readExpressions(selector: Obj, what: string): Expression[] {
  const raw = selector.matchExpressions ?? [];
  if (!Array.isArray(raw)) {
    throw new InputError(
      `${what}: spec.podSelector.matchExpressions is not a list`,
    );
  }
  return raw.map((e, i) => {
    const key = isObject(e) ? getString(e, 'key') : undefined;
    const operator = isObject(e) ? getString(e, 'operator') : undefined;
    if (!isObject(e) || !key || !operator) {
      throw new InputError(
        `${what}: spec.podSelector.matchExpressions[${i}] needs a key and an operator`,
      );
    }
    const values = getArray(e, 'values')?.filter(
      (v): v is string => typeof v === 'string',
    );
    return values ? { key, operator, values } : { key, operator };
  });
}

/** A rule list: absent means none; anything else than a list is malformed. */
function countRules(
  spec: Obj,
  key: 'ingress' | 'egress',
  what: string,
): number {
  const rules = spec[key];
  if (rules === undefined || rules === null) return 0;
  if (!Array.isArray(rules)) {
    throw new InputError(`${what}: spec.${key} is not a list`);
  }
  return rules.length;
}

export const networkPolicyParser: EvidenceParser = {
  kind: 'network-policy',
  detect,

  parse(doc) {
    if (!detect(doc)) throw new InputError('Not a NetworkPolicy');
    const meta = requireMetadata(doc, 'NetworkPolicy');
    const what = 'NetworkPolicy'; // no name from the document: messages never echo input
    const spec = requireObject(doc, 'spec', what);
    const selector = getObject(spec, 'podSelector');
    // The API requires a podSelector; `{}` is the explicit way to select every pod.
    if (!selector) throw new InputError(`${what} has no spec.podSelector`);

    const declared = getArray(spec, 'policyTypes');
    // Kubernetes' defaulting when policyTypes is unset: every policy affects ingress, and
    // egress too when it has an egress section.
    const policyTypes = declared
      ? declared.filter((t): t is string => typeof t === 'string')
      : ['Ingress', ...(spec.egress !== undefined ? ['Egress'] : [])];

    const expressions = readExpressions(selector, what);
    const summary: NetworkPolicySummary = {
      type: 'network-policy',
      name: meta.name,
      namespace: meta.namespace,
      podSelector: getStringMap(selector, 'matchLabels'),
      policyTypes,
      ingressRules: countRules(spec, 'ingress', what),
      egressRules: countRules(spec, 'egress', what),
    };
    if (expressions.length > 0) summary.podSelectorExpressions = expressions;
    return {
      summary,
      subject: subjectFromLabels(meta.labels),
      sanitized: stripNoise(doc),
    };
  },
};
