import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import type { DeployWindowRole } from '@helix-portal/plugin-rco-common';
import { ownersOf } from '../../access';
import { serviceTitle } from '../../../operations/wording';
import { describeWindow, missingRoles } from './windowRules';
import { DeployWindowRecord } from './WindowStore';

const ROLE_NAME: Record<DeployWindowRole, string> = {
  po: 'PO',
  dpo: 'DPO',
  security: 'Security',
};

const releasePage = (entityRef: string) => {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}/release`;
};

const releaseText = (w: DeployWindowRecord) =>
  w.release.version ??
  (w.release.digest ? w.release.digest.slice(0, 19) : 'any release');

/**
 * Tells people about windows through Backstage notifications: the groups of the roles that must
 * accept a proposal, and the proposer (or, for a CI proposer, the owners) of each acceptance.
 * Sending never throws: a window stands whether or not anyone could be told.
 */
export class WindowNotifier {
  constructor(
    private readonly o: {
      notifications: NotificationService;
      logger: LoggerService;
      /** rco.signoffs.groups: who stands for each role. */
      groups: Record<DeployWindowRole, string | undefined>;
    },
  ) {}

  async proposed(w: DeployWindowRecord, entity: Entity) {
    const groups = w.requiredRoles
      .map(role => this.o.groups[role]?.toLowerCase())
      .filter((g): g is string => !!g);
    const unnamed = w.requiredRoles.filter(role => !this.o.groups[role]);
    if (unnamed.length) {
      this.o.logger.warn(
        `Deployment window ${w.id} of ${w.entityRef} needs ${unnamed.join(
          ', ',
        )}, whose rco.signoffs.groups are not configured: nobody can accept it for them`,
      );
    }
    if (!groups.length) return;
    await this.send(w, {
      recipients: {
        type: 'entity',
        entityRef: [...new Set(groups)],
        // The proposer may sit in one of the groups; they know already.
        excludeEntityRef: w.proposedBy.startsWith('user:')
          ? w.proposedBy
          : undefined,
      },
      payload: {
        title: `Deployment window proposed: ${serviceTitle(
          entity,
          w.entityRef,
        )} ${releaseText(w)} in ${w.environment}`,
        description: `${w.entityRef}: ${describeWindow(w)}, proposed by ${
          w.proposedBy
        }. Acceptance needed from ${w.requiredRoles
          .map(r => ROLE_NAME[r])
          .join(', ')}.`,
        link: releasePage(w.entityRef),
        severity: 'high',
        topic: 'rco-deploy-windows',
      },
    });
  }

  async accepted(
    w: DeployWindowRecord,
    entity: Entity,
    by: string,
    roles: DeployWindowRole[],
  ) {
    // A CI token proposed it: the people who own the service hear of it instead.
    const recipient = w.proposedBy.startsWith('user:')
      ? [w.proposedBy]
      : ownersOf(entity);
    if (!recipient.length) return;
    const missing = missingRoles(w);
    await this.send(w, {
      recipients: { type: 'entity', entityRef: recipient },
      payload: {
        title: `Deployment window ${
          missing.length ? 'accepted in part' : 'accepted'
        }: ${serviceTitle(entity, w.entityRef)} ${releaseText(w)} in ${
          w.environment
        }`,
        description: `${w.entityRef}: ${describeWindow(
          w,
        )}. ${by} accepted as ${roles.map(r => ROLE_NAME[r]).join(', ')}.${
          missing.length
            ? ` Still needed: ${missing.map(r => ROLE_NAME[r]).join(', ')}.`
            : ' Every required role has accepted.'
        }`,
        link: releasePage(w.entityRef),
        severity: 'normal',
        topic: 'rco-deploy-windows',
      },
    });
  }

  private async send(
    w: DeployWindowRecord,
    notification: Parameters<NotificationService['send']>[0],
  ) {
    try {
      await this.o.notifications.send(notification);
    } catch (error) {
      this.o.logger.warn(
        `Deployment window ${w.id} of ${w.entityRef}: notification not sent: ${error}`,
      );
    }
  }
}
