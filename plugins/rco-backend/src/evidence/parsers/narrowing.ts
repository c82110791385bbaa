/**
 * Annotations only the console's Kubernetes collector writes, when it narrows a cluster-wide
 * Gatekeeper constraint or policy report to one place's namespace
 * (collectors/kubernetes/placeScope.ts). An upload carrying them is refused
 * (evidence/collectedOnly.ts): they would be somebody's word for what the console saw.
 */
export const NARROWED_NAMESPACE = 'rco.helix.dev/narrowed-to-namespace';
/** How many violations or failures the source counted but did not list (whose is unknown). */
export const UNLISTED_VIOLATIONS = 'rco.helix.dev/unlisted-violations';

export const COLLECTOR_ANNOTATIONS = [NARROWED_NAMESPACE, UNLISTED_VIOLATIONS];

const annotationsOf = (doc: unknown): Record<string, unknown> => {
  const meta = (doc as { metadata?: { annotations?: unknown } })?.metadata;
  const a = meta?.annotations;
  return typeof a === 'object' && a !== null && !Array.isArray(a)
    ? (a as Record<string, unknown>)
    : {};
};

/** The namespace a document was narrowed to, and what it counted without listing. */
export function narrowing(doc: unknown): {
  namespace?: string;
  unlisted?: number;
} {
  const annotations = annotationsOf(doc);
  const namespace = annotations[NARROWED_NAMESPACE];
  if (typeof namespace !== 'string' || !namespace) return {};
  const unlisted = Number(annotations[UNLISTED_VIOLATIONS]);
  return {
    namespace,
    ...(Number.isInteger(unlisted) && unlisted > 0 ? { unlisted } : {}),
  };
}

/** The collector-only annotations a document carries. */
export const collectorAnnotations = (doc: unknown) =>
  COLLECTOR_ANNOTATIONS.filter(k => k in annotationsOf(doc));
