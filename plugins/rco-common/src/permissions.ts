import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Uploading evidence for an entity. A resource permission on the catalog entity, so a policy can
 * grant it conditionally (owners by default, see the portal's policy).
 *
 * @public
 */
export const rcoEvidenceCreatePermission = createPermission({
  name: 'rco.evidence.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Recording who asks for a release of an entity (owners by default).
 *
 * @public
 */
export const rcoReleaseRequestPermission = createPermission({
  name: 'rco.release.request',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Signing off a release in one of the roles (PO, DPO, Security). The plugin also checks the
 * role's group and the four-eyes rule, whatever the policy says.
 *
 * @public
 */
export const rcoSignoffCreatePermission = createPermission({
  name: 'rco.signoff.create',
  attributes: { action: 'create' },
});

/**
 * Revoking a sign-off somebody else gave. The signer may always revoke their own decision;
 * this permission is for an administrator (granted to nobody unless the portal names a group in
 * rco.signoffs.revokeGroup), and each such revocation is audited with whose decision it was.
 *
 * @public
 */
export const rcoSignoffRevokePermission = createPermission({
  name: 'rco.signoff.revoke',
  attributes: { action: 'delete' },
});

/**
 * Waiving a gate or revoking a waiver.
 *
 * @public
 */
export const rcoWaiverCreatePermission = createPermission({
  name: 'rco.waiver.create',
  attributes: { action: 'create' },
});

/**
 * Deploying a release of an entity (owners by default).
 *
 * @public
 */
export const rcoDeployPermission = createPermission({
  name: 'rco.operation.deploy',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Rolling an entity back, or dry-running a rollback (owners by default).
 *
 * @public
 */
export const rcoRollbackPermission = createPermission({
  name: 'rco.operation.rollback',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Confirming, promoting or aborting a running operation (owners by default).
 *
 * @public
 */
export const rcoOperationControlPermission = createPermission({
  name: 'rco.operation.control',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Recording a break-glass override (its own group only, see the portal's policy).
 *
 * @public
 */
export const rcoOverrideCreatePermission = createPermission({
  name: 'rco.override.create',
  attributes: { action: 'create' },
});

/**
 * Asking the console to collect an entity's evidence from its clusters and monitoring now,
 * instead of waiting for the schedule (owners by default). Collection only reads, but it costs
 * the clusters a list of every kind.
 *
 * @public
 */
export const rcoCollectionRefreshPermission = createPermission({
  name: 'rco.collection.refresh',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** @public */
export const rcoPermissions = [
  rcoEvidenceCreatePermission,
  rcoReleaseRequestPermission,
  rcoSignoffCreatePermission,
  rcoSignoffRevokePermission,
  rcoWaiverCreatePermission,
  rcoDeployPermission,
  rcoRollbackPermission,
  rcoOperationControlPermission,
  rcoOverrideCreatePermission,
  rcoCollectionRefreshPermission,
];
