import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Knex } from 'knex';
import { RcoConfig } from '../../../config';
import { Ledger } from '../../../database/Ledger';
import { Access } from '../../access';
import { ReleaseService } from '../../ReleaseService';
import { DatabaseWindowStore } from './DatabaseWindowStore';
import { WindowNotifier } from './WindowNotifier';
import { WindowEnvironments, WindowService } from './WindowService';

/**
 * Builds the deployment windows of issue 15 once, in plugin.ts: the routes and the deploy gate
 * (acceptedWindowAt, nextWindow) share the instance. Dated by the gates' clock (releases.clock).
 */
export function createWindows(deps: {
  db: Knex;
  ledger: Ledger;
  access: Access;
  environments: WindowEnvironments;
  config: RcoConfig;
  releases: ReleaseService;
  notifications?: NotificationService;
  logger: LoggerService;
}): WindowService {
  return new WindowService({
    store: new DatabaseWindowStore(deps.db, deps.ledger),
    access: deps.access,
    environments: deps.environments,
    config: deps.config,
    clock: deps.releases.clock,
    notifier: deps.notifications
      ? new WindowNotifier({
          notifications: deps.notifications,
          logger: deps.logger,
          groups: deps.config.signoffGroups,
        })
      : undefined,
    // Open Release pages re-read (the deploy button says when the window opens).
    changed: entityRef => deps.releases.invalidate(entityRef, 'window'),
  });
}
