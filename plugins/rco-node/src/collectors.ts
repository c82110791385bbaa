import { LoggerService } from '@backstage/backend-plugin-api';
import { DeployCluster } from './drivers';

/**
 * Evidence the console gathers itself (issue 13): collectors read the cluster's and the
 * monitoring stack's own state on the scheduler, so the gates do not rest only on what a
 * pipeline says. The backend turns each collected object into evidence with its provenance;
 * collectors never write to the database themselves.
 */

/**
 * Where one entity runs in one environment: the same cluster and namespace its deploys use
 * (configuration, bindings and claims already applied by the backend; an entity's annotations
 * never widen it).
 *
 * @public
 */
export interface CollectionPlace {
  entityRef: string;
  /** The entity's `metadata.name`, for `{name}` templating of label selectors. */
  name: string;
  /** The entity's `metadata.namespace`, for `{namespace}` templating. */
  entityNamespace: string;
  environment: string;
  /** The environment's cluster (a `kubernetes:` entry), when it has one. */
  cluster?: DeployCluster;
  /** The entity's namespace in that cluster. */
  namespace: string;
}

/**
 * Where a collected object came from. Two observations with the same collector, cluster, uid and
 * resourceVersion are the same object unchanged: the backend only refreshes `observedAt`.
 *
 * @public
 */
export interface EvidenceProvenance {
  /** The collector's id. */
  collector: string;
  /** The cluster's name (or, for monitoring, the Prometheus/Alertmanager endpoint's name). */
  cluster: string;
  namespace?: string;
  /** The API kind (`PolicyReport`, `Backup`, …) or the monitoring API read (`rules`). */
  kind: string;
  apiVersion?: string;
  name: string;
  /** `metadata.uid`; for monitoring, a stable id of what was read. */
  uid: string;
  /** `metadata.resourceVersion`; for monitoring, the digest of the content read. */
  resourceVersion: string;
}

/**
 * One object a collector found for one entity in one environment.
 *
 * @public
 */
export interface CollectedObject {
  entityRef: string;
  environment: string;
  /** The evidence kind it becomes (one of the backend's evidence kinds, e.g. `policy-report`). */
  evidenceKind: string;
  /** The document as the API served it: parsed by the same parser as an upload of that kind. */
  document: unknown;
  /** What the object itself says it is about (an image digest in a Rollout's template, say). */
  subject?: { version?: string; digest?: string };
  provenance: EvidenceProvenance;
}

/**
 * How one collector fared with one cluster (or endpoint) and one kind in one run. A failure is
 * never evidence: it is shown as collection health, and what was collected before stays as it
 * was (going stale on its own clock).
 *
 * @public
 */
export interface CollectionHealth {
  collector: string;
  cluster: string;
  /** The kind (or monitoring API) the outcome is about. */
  kind: string;
  /** The environments whose places this outcome covered. */
  environments: string[];
  /**
   * When set, the outcome is about this namespace only (a list refused in one namespace): the
   * kind's objects from other namespaces are still collected.
   */
  namespace?: string;
  /**
   * When set, the outcome is about this entity's place only (its label selector could not be
   * rendered): other entities' objects of the kind are still collected.
   */
  entityRef?: string;
  ok: boolean;
  /** In words, for people: "the cluster answered 403 Forbidden: …". Never a secret. */
  error?: string;
  /** Objects seen (when ok). */
  objects?: number;
  /**
   * Something people should know although the outcome is ok, in words: a kind the cluster does
   * not serve, or objects matched by more than one entity's selector and so attributed to none.
   */
  note?: string;
  /**
   * When ok: the uids of every object the list showed (attributed to an entity or not, in every
   * namespace listed). Only stored objects of the kind missing from it are judged gone: an object
   * still in the cluster that no entity could claim (ambiguous, its owner unreadable) is not gone.
   * Without it, stored objects are judged gone only if the outcome carries no note.
   */
  listed?: string[];
  /**
   * When set, the outcome covers every stored object of this evidence kind whatever its API
   * kind (one row for several kinds, as Gatekeeper's constraints).
   */
  evidenceKind?: string;
}

/**
 * What a collector is asked to do in one run.
 *
 * @public
 */
export interface CollectionRequest {
  /** Every place to look at (all entities on the schedule; one entity on an owner's refresh). */
  places: CollectionPlace[];
  /**
   * On an owner's refresh, every other governed entity's places: not collected, but a collector
   * that attributes objects by selector checks them too, so that an object another entity's
   * selector also matches goes to neither (as it would in a scheduled run), instead of to
   * whoever refreshes first.
   */
  otherPlaces?: CollectionPlace[];
  /** Aborted when the run's time is up. */
  signal: AbortSignal;
  logger: LoggerService;
}

/**
 * The outcome of one run. Objects of a cluster and kind whose health is not ok must not be
 * included (a partial list is not the cluster's state); a failure with a `namespace` covers
 * that namespace's objects only, one with an `entityRef` that entity's only.
 *
 * @public
 */
export interface CollectionResult {
  objects: CollectedObject[];
  health: CollectionHealth[];
}

/**
 * A source of evidence the console collects itself.
 *
 * @public
 */
export interface EvidenceCollector {
  /** Unique id, e.g. `kubernetes`, `prometheus`. */
  readonly id: string;
  /** The evidence source its objects carry. */
  readonly source: 'cluster' | 'monitoring';
  collect(request: CollectionRequest): Promise<CollectionResult>;
  /**
   * The cluster namespaces this collector reads for one place: the place's own, and any fixed
   * platform namespace a kind is listed in (Velero's `velero`, say). The entity's collection
   * status shows the health of these namespaces, so a refused platform namespace shows before
   * the entity has objects there. Without it, the place's own namespace only.
   */
  namespacesRead?(place: CollectionPlace): string[];
}
