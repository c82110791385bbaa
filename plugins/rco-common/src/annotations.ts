/**
 * Entity annotation naming the service's current runbook document. A relative path resolves
 * against the entity's own catalog-info location, the way TechDocs resolves `dir:` references.
 *
 * @public
 */
export const RUNBOOK_ANNOTATION = 'rco.helix.dev/runbook';

/**
 * Optional entity annotation listing earlier runbook documents (comma-separated, same
 * resolution rules as {@link RUNBOOK_ANNOTATION}), so versions can be compared from day one.
 *
 * @public
 */
export const RUNBOOK_HISTORY_ANNOTATION = 'rco.helix.dev/runbook-history';

/**
 * Annotation of the Kubernetes plugin that ties an entity to its workloads.
 *
 * @public
 */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
