import {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  rcoCollectionRefreshPermission,
  rcoDeployPermission,
  rcoOperationControlPermission,
  rcoOverrideCreatePermission,
  rcoRollbackPermission,
  rcoEvidenceCreatePermission,
  rcoReleaseRequestPermission,
  rcoSignoffCreatePermission,
  rcoSignoffRevokePermission,
  rcoWaiverCreatePermission,
} from '@helix-portal/plugin-rco-common';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { normalizeServiceSubject, RcoConfig } from '../config';
import { normalizeEntityRef } from '../lib/entityRefs';
import { kindAllowed } from '../operations/targetBinding';
import {
  cachedForCaller,
  callerKey,
  LOOKUP_TTL_MS,
  TtlCache,
} from './requestCache';

/** The operation actions a policy or a CI subject can be granted. */
export type OperationAction = 'deploy' | 'rollback' | 'control';

const OPERATION_PERMISSIONS: Record<OperationAction, Permission> = {
  deploy: rcoDeployPermission,
  rollback: rcoRollbackPermission,
  control: rcoOperationControlPermission,
};

const isUser = (
  c: BackstageCredentials,
): c is BackstageCredentials<BackstageUserPrincipal> =>
  (c.principal as { type?: string }).type === 'user';
const isService = (
  c: BackstageCredentials,
): c is BackstageCredentials<BackstageServicePrincipal> =>
  (c.principal as { type?: string }).type === 'service';

/** The entity's owners as full refs, from its relations or spec.owner. */
export function ownersOf(entity: Entity): string[] {
  const fromRelations = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef.toLowerCase());
  if (fromRelations.length) return fromRelations;
  const owner = entity.spec?.owner;
  return typeof owner === 'string'
    ? [
        stringifyEntityRef(
          parseEntityRef(owner, {
            defaultKind: 'group',
            defaultNamespace: entity.metadata.namespace ?? 'default',
          }),
        ).toLowerCase(),
      ]
    : [];
}

/**
 * Who may do what. People are asked of the permission framework (the portal's policy grants
 * uploads to owners, sign-offs to the role groups, waivers to the waiver group); CI tokens are
 * limited here to the entities configured for their subject, and some rules hold whatever the
 * policy says: only people sign off, only members of that role's group, never the requester.
 * The stored actor always comes from the credentials, never from a request body.
 */
export class Access {
  /** Decisions per caller, permission and resource, a few seconds (requestCache says why). */
  private readonly decisions: TtlCache<AuthorizeResult>;
  /** A user's ownership refs, per caller, as long. */
  private readonly owners: TtlCache<string[]>;

  constructor(
    private readonly userInfo: UserInfoService,
    private readonly permissions: PermissionsService,
    private readonly config: RcoConfig,
    cache: { ttlMs: number; now?: () => number } = { ttlMs: LOOKUP_TTL_MS },
  ) {
    this.decisions = new TtlCache({ ...cache, maxEntries: 10_000 });
    this.owners = new TtlCache({ ...cache, maxEntries: 2_000 });
  }

  /**
   * The policy's decisions, in one round trip for those not cached. Definitive decisions only
   * (authorize, never authorizeConditional), keyed by the caller: a few seconds' reuse is what a
   * page's burst of requests needs, and a request ends well within it.
   */
  private async decide(
    credentials: BackstageCredentials,
    requests: Array<{ permission: Permission; resourceRef?: string }>,
  ): Promise<boolean[]> {
    const ask = (asked: typeof requests) =>
      this.permissions
        .authorize(asked as any, { credentials })
        .then(ds => ds.map(d => d.result));
    const caller = callerKey(credentials);
    const results = caller
      ? await this.decisions.getMany(
          requests.map(r =>
            JSON.stringify([caller, r.permission.name, r.resourceRef ?? null]),
          ),
          missing => ask(missing.map(i => requests[i])),
        )
      : await ask(requests);
    return results.map(r => r === AuthorizeResult.ALLOW);
  }

  private async authorize(
    credentials: BackstageCredentials,
    permission: Permission,
    denied: string,
    resourceRef?: string,
  ) {
    const [allowed] = await this.decide(credentials, [
      resourceRef ? { permission, resourceRef } : { permission },
    ]);
    if (!allowed) throw new NotAllowedError(denied);
  }

  /** A display name for the ledger and the records: a user's entity ref or `service:<subject>`. */
  actorOf(credentials: BackstageCredentials): string {
    if (isUser(credentials)) return credentials.principal.userEntityRef;
    if (isService(credentials))
      return `service:${credentials.principal.subject}`;
    return 'none';
  }

  private async ownership(
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ) {
    // Once per request (the credentials object is the request's), then briefly per user.
    return cachedForCaller(
      this.owners,
      { scope: credentials, credentials },
      'ownership',
      async () => {
        const info = await this.userInfo.getUserInfo(credentials);
        return info.ownershipEntityRefs.map(r => r.toLowerCase());
      },
    );
  }

  /** The rco.ci.subjects entry of a service principal, whichever way its subject is spelt. */
  private ciSubjectOf(
    credentials: BackstageCredentials<BackstageServicePrincipal>,
  ) {
    const subject = normalizeServiceSubject(credentials.principal.subject);
    return this.config.ciSubjects.find(s => s.subject === subject);
  }

  private serviceReaches(
    credentials: BackstageCredentials<BackstageServicePrincipal>,
    entityRef: string,
  ) {
    const entry = this.ciSubjectOf(credentials);
    return !!entry && this.scopeSetOf(entry).has(safeNormalize(entityRef));
  }

  /**
   * A subject's entities as a set, made once: a pipeline's token may list thousands, and every
   * request it makes asks whether one of them is named (parsing each ref per request cost
   * milliseconds at 1,000 entities; bench:portal).
   */
  private readonly scopeSets = new WeakMap<object, Set<string>>();
  private scopeSetOf(entry: { entities: string[] }) {
    let set = this.scopeSets.get(entry);
    if (!set) {
      // Already normalised by readRcoConfig.
      set = new Set(entry.entities);
      this.scopeSets.set(entry, set);
    }
    return set;
  }

  /** Whether a caller limited to serviceScope may name this entity (people: always). */
  scopeReaches(
    credentials: BackstageCredentials,
    ref: string | { kind: string; namespace: string; name: string },
  ): boolean {
    if (isUser(credentials)) return true;
    if (!isService(credentials)) return false;
    const entry = this.ciSubjectOf(credentials);
    return !!entry && this.scopeSetOf(entry).has(safeNormalize(ref));
  }

  /**
   * The entities a caller is limited to beyond catalog visibility: undefined for people (the
   * catalog decides), the configured list for a service principal. A service principal is
   * asked about with the plugin's own catalog credentials, which see everything, so this list
   * is the whole of what it can read: empty for a static token, a JWKS token or another
   * plugin's token (`plugin:<id>`) with no rco.ci.subjects entry. No other plugin of the portal
   * calls this API today; one that needs to is granted entities like a CI token, by naming its
   * `plugin:<id>` subject in rco.ci.subjects.
   */
  serviceScope(credentials: BackstageCredentials): string[] | undefined {
    if (isUser(credentials)) return undefined;
    if (!isService(credentials)) return [];
    return this.ciSubjectOf(credentials)?.entities ?? [];
  }

  /** Owners of the entity may upload; a CI token only for the entities configured for it. */
  async assertCanUpload(entity: Entity, credentials: BackstageCredentials) {
    const entityRef = normalizeEntityRef(entity);
    if (isService(credentials)) {
      if (!this.serviceReaches(credentials, entityRef)) {
        throw new NotAllowedError(
          `Service ${credentials.principal.subject} may not upload evidence for ${entityRef}`,
        );
      }
      return 'ci' as const;
    }
    if (isUser(credentials)) {
      await this.authorize(
        credentials,
        rcoEvidenceCreatePermission,
        `Only owners of ${entityRef} may upload evidence`,
        entityRef,
      );
      return 'human' as const;
    }
    throw new NotAllowedError('Uploading evidence needs a user or a CI token');
  }

  /** Sign-offs come from people in the role's group, never from a service. */
  async assertRoleMember(
    role: 'po' | 'dpo' | 'security',
    credentials: BackstageCredentials,
  ) {
    if (!isUser(credentials)) {
      throw new NotAllowedError(
        'Sign-offs are made by people: service principals cannot sign off',
      );
    }
    const group = this.config.signoffGroups[role]?.toLowerCase();
    // Before the policy: a role nobody was named for is closed whatever the policy allows.
    if (!group) {
      throw new NotAllowedError(
        `Nobody may sign off as ${role}: rco.signoffs.groups.${role} is not configured`,
      );
    }
    await this.authorize(
      credentials,
      rcoSignoffCreatePermission,
      `You may not sign off releases`,
    );
    if (!(await this.ownership(credentials)).includes(group)) {
      throw new NotAllowedError(
        `Only members of ${group} may sign off as ${role}`,
      );
    }
    return credentials.principal.userEntityRef;
  }

  /**
   * A sign-off is revoked by the person who gave it. Anyone else needs rco.signoff.revoke from
   * the policy and membership of rco.signoffs.revokeGroup (no group configured: nobody); the
   * route audits whose decision they revoked.
   */
  async assertCanRevokeSignoff(
    signoff: { id: string; signer: string },
    credentials: BackstageCredentials,
  ) {
    if (!isUser(credentials)) {
      throw new NotAllowedError('Sign-offs are revoked by people');
    }
    const actor = credentials.principal.userEntityRef;
    // Entity refs compare case-insensitively.
    if (actor.toLowerCase() === signoff.signer.toLowerCase()) return actor;
    const denied = `Only ${signoff.signer}, who gave sign-off ${signoff.id}, may revoke it`;
    const group = this.config.signoffRevokeGroup?.toLowerCase();
    if (!group) throw new NotAllowedError(denied);
    await this.authorize(credentials, rcoSignoffRevokePermission, denied);
    if (!(await this.ownership(credentials)).includes(group)) {
      throw new NotAllowedError(denied);
    }
    return actor;
  }

  async assertCanWaive(credentials: BackstageCredentials) {
    if (!isUser(credentials))
      throw new NotAllowedError('Waivers are granted by people');
    const group = this.config.waiverGroup?.toLowerCase();
    if (!group) {
      throw new NotAllowedError(
        'Nobody may waive a gate: rco.waivers.group is not configured',
      );
    }
    const denied = `Only members of ${this.config.waiverGroup} may waive a gate`;
    await this.authorize(credentials, rcoWaiverCreatePermission, denied);
    // Held here too, whatever the policy says: a waiver lifts a gate.
    if (!(await this.ownership(credentials)).includes(group)) {
      throw new NotAllowedError(denied);
    }
    return credentials.principal.userEntityRef;
  }

  /**
   * Service principals see and touch only the entities configured for their subject; any other
   * entity does not exist for them (404, the same answer as for an entity nobody registered).
   * A service principal without an rco.ci.subjects entry reads nothing (see serviceScope).
   */
  assertServiceMayAccess(entityRef: string, credentials: BackstageCredentials) {
    if (isUser(credentials)) return;
    if (isService(credentials) && this.serviceReaches(credentials, entityRef))
      return;
    throw new NotFoundError(`No entity ${entityRef}`);
  }

  /** What the caller may do, for display: the routes enforce the same rules. */
  async capabilities(entity: Entity, credentials: BackstageCredentials) {
    const actor = this.actorOf(credentials);
    const none = { po: false, dpo: false, security: false };
    if (!isUser(credentials)) {
      const upload = await this.assertCanUpload(entity, credentials).then(
        () => true,
        () => false,
      );
      return {
        actor,
        uploadEvidence: upload,
        requestRelease: false,
        signoff: none,
        waive: false,
        revokeSignoffs: false,
      };
    }
    // One round trip to the permission framework and one ownership lookup, not one per action.
    const entityRef = stringifyEntityRef(entity);
    const [decisions, ownership] = await Promise.all([
      this.decide(credentials, [
        { permission: rcoEvidenceCreatePermission, resourceRef: entityRef },
        { permission: rcoReleaseRequestPermission, resourceRef: entityRef },
        { permission: rcoSignoffCreatePermission },
        { permission: rcoWaiverCreatePermission },
        { permission: rcoSignoffRevokePermission },
      ]),
      this.ownership(credentials),
    ]);
    const [upload, request, signoff, waiver, revokeOthers] = decisions;
    // An unset group names nobody.
    const member = (group?: string) =>
      !!group && ownership.includes(group.toLowerCase());
    return {
      actor,
      uploadEvidence: upload,
      requestRelease: request,
      signoff: {
        po: signoff && member(this.config.signoffGroups.po),
        dpo: signoff && member(this.config.signoffGroups.dpo),
        security: signoff && member(this.config.signoffGroups.security),
      },
      waive: waiver && member(this.config.waiverGroup),
      revokeSignoffs: revokeOthers && member(this.config.signoffRevokeGroup),
    };
  }

  /**
   * Deploy, rollback (and dry-run), and control (confirm, promote, abort) of an entity: owners
   * through the policy; a CI token only for the operations configured for its subject.
   */
  async assertCanOperate(
    entity: Entity,
    credentials: BackstageCredentials,
    action: OperationAction,
  ) {
    const entityRef = stringifyEntityRef(entity);
    if (isService(credentials)) {
      if (
        !this.serviceReaches(credentials, entityRef) ||
        !this.ciSubjectOf(credentials)!.operations.includes(action)
      ) {
        throw new NotAllowedError(
          `Service ${credentials.principal.subject} may not ${action} ${entityRef} (rco.ci.subjects[].operations)`,
        );
      }
      return `service:${credentials.principal.subject}`;
    }
    if (!isUser(credentials)) {
      throw new NotAllowedError(
        `${action} needs a user or a configured CI token`,
      );
    }
    await this.authorize(
      credentials,
      OPERATION_PERMISSIONS[action],
      `Only owners of ${entityRef} may ${action} it`,
      entityRef,
    );
    return credentials.principal.userEntityRef;
  }

  /** Break-glass: its own permission and its own group, whatever else the caller may do. */
  async assertCanBreakGlass(credentials: BackstageCredentials) {
    if (!isUser(credentials))
      throw new NotAllowedError('Break-glass overrides are made by people');
    const group = this.config.breakGlassGroup?.toLowerCase();
    if (!group) {
      throw new NotAllowedError(
        'Nobody may break glass: rco.breakGlass.group is not configured',
      );
    }
    const denied = `Only members of ${this.config.breakGlassGroup} may break glass`;
    await this.authorize(credentials, rcoOverrideCreatePermission, denied);
    if (!(await this.ownership(credentials)).includes(group)) {
      throw new NotAllowedError(denied);
    }
    return credentials.principal.userEntityRef;
  }

  /**
   * What the caller may do with operations, for display. An entity of a kind outside
   * rco.operations.entityKinds operates through no route (403, ADR 0007), so nothing is offered,
   * whatever the policy grants: the page shows no deploy side that would only answer 403.
   */
  async operationCapabilities(
    entity: Entity,
    credentials: BackstageCredentials,
  ) {
    if (!kindAllowed(entity, this.config.operationEntityKinds)) {
      return {
        deploy: false,
        rollback: false,
        control: false,
        breakGlass: false,
        kindAllowed: false,
        breakGlassMaxDuration: this.config.breakGlassMaxDuration.toISO()!,
      };
    }
    const can = (fn: () => Promise<unknown>) =>
      fn().then(
        () => true,
        () => false,
      );
    if (isUser(credentials)) {
      // The four decisions in one round trip: the checks below, which hold the rules, then read
      // them from the cache. A failure is not kept, and the checks then ask (and say no) alone.
      const entityRef = stringifyEntityRef(entity);
      await this.decide(credentials, [
        ...Object.values(OPERATION_PERMISSIONS).map(permission => ({
          permission,
          resourceRef: entityRef,
        })),
        { permission: rcoOverrideCreatePermission },
      ]).catch(() => undefined);
    }
    const [deploy, rollback, control, breakGlass] = await Promise.all([
      can(() => this.assertCanOperate(entity, credentials, 'deploy')),
      can(() => this.assertCanOperate(entity, credentials, 'rollback')),
      can(() => this.assertCanOperate(entity, credentials, 'control')),
      can(() => this.assertCanBreakGlass(credentials)),
    ]);
    return {
      deploy,
      rollback,
      control,
      breakGlass,
      breakGlassMaxDuration: this.config.breakGlassMaxDuration.toISO()!,
    };
  }

  /**
   * An on-demand collection of an entity's evidence (issue 13): owners through the policy; a CI
   * token configured for the entity too (collection only reads what the cluster says, and a
   * pipeline that just deployed may want it read now). Anyone else: 403.
   */
  async assertCanRefreshCollection(
    entity: Entity,
    credentials: BackstageCredentials,
  ) {
    const entityRef = stringifyEntityRef(entity);
    if (isService(credentials)) {
      if (!this.serviceReaches(credentials, entityRef)) {
        throw new NotAllowedError(
          `Service ${credentials.principal.subject} may not refresh the collection of ${entityRef}`,
        );
      }
      return `service:${credentials.principal.subject}`;
    }
    if (!isUser(credentials)) {
      throw new NotAllowedError(
        'Refreshing a collection needs a user or a configured CI token',
      );
    }
    await this.authorize(
      credentials,
      rcoCollectionRefreshPermission,
      `Only owners of ${entityRef} may refresh its collected evidence`,
      entityRef,
    );
    return credentials.principal.userEntityRef;
  }

  async assertOwner(entity: Entity, credentials: BackstageCredentials) {
    if (!isUser(credentials)) {
      throw new NotAllowedError('Only people request releases');
    }
    const entityRef = stringifyEntityRef(entity);
    await this.authorize(
      credentials,
      rcoReleaseRequestPermission,
      `Only owners of ${entityRef} may request a release`,
      entityRef,
    );
    return credentials.principal.userEntityRef;
  }
}

/** The normalised ref, or '' (names nothing) for one that does not parse. */
function safeNormalize(
  ref: string | { kind: string; namespace: string; name: string },
): string {
  try {
    return normalizeEntityRef(ref);
  } catch {
    return '';
  }
}
