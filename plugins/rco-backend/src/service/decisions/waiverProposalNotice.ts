import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { WaiverProposalRecord } from '../../database/DecisionStore';
import { serviceTitle } from '../../operations/wording';

/** A recorded proposal, with the entity it is about. */
export type ProposedWaiver = WaiverProposalRecord & { entityRef: string };

/** Tells the waiver group about a proposal; never throws (the proposal stands regardless). */
export type NotifyWaiverProposal = (
  proposal: ProposedWaiver,
  entity: Entity,
) => Promise<void>;

/** The entity's Release tab, where a member of the waiver group grants the waiver. */
export const releaseTab = (entityRef: string) => {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}/release`;
};

/**
 * How the waiver group hears of a proposal: a Backstage notification linking to the Release tab.
 * Undefined when rco.waivers.group is not configured: nobody could grant it, so nobody is told
 * (the proposal answers `grantableBy: null` instead).
 */
export function waiverProposalNotifier(o: {
  notifications: NotificationService;
  logger: LoggerService;
  group?: string;
}): NotifyWaiverProposal | undefined {
  const group = o.group;
  if (!group) return undefined;
  return async (p, entity) => {
    const scope = [
      p.environment ? `in ${p.environment}` : 'in every environment',
      p.releaseVersion ? `for ${p.releaseVersion}` : 'for every release',
    ].join(' ');
    try {
      await o.notifications.send({
        recipients: {
          type: 'entity',
          entityRef: group,
          // A proposer who sits in the group knows already.
          excludeEntityRef: p.proposedBy,
        },
        payload: {
          title: `Waiver proposed: ${p.gate} of ${serviceTitle(
            entity,
            p.entityRef,
          )}`,
          // The entity ref as well as the title: titles need not be unique. The justification
          // went through withoutSecrets before it was recorded.
          description: `${p.entityRef}: ${p.proposedBy} asks to waive ${
            p.gate
          } ${scope} until ${p.expiresAt.toISOString()}: ${
            p.justification
          }. Nothing is waived until a member of ${group} grants it.`,
          link: releaseTab(p.entityRef),
          severity: 'high',
          topic: 'rco-waivers',
        },
      });
    } catch (error) {
      o.logger.warn(
        `Waiver proposal ${p.id} for ${p.entityRef}: notification not sent: ${error}`,
      );
    }
  };
}
