import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import { SignalChannels } from '../operations/signalChannels';
import { ReleaseChange } from './ReleaseService';

/**
 * Nudges open Release pages when something about an entity's release changed. The message says
 * only what kind of thing changed, never the entity or the content: the page re-reads through
 * the API, which applies catalog visibility. Broadcast on the entity's keyed release channel
 * (SignalChannels), which is handed out only in the capabilities response.
 */
export class ReleaseSignals {
  constructor(
    private readonly o: {
      signals: SignalsService;
      channels: SignalChannels;
      logger: LoggerService;
    },
  ) {}

  channelFor(entityRef: string) {
    return this.o.channels.releaseChannel(entityRef);
  }

  /** Fire and forget: a write has succeeded whether or not the nudge reaches anyone. */
  changed(entityRef: string, what: ReleaseChange): void {
    this.publish(entityRef, what).catch(error =>
      this.o.logger.warn(`Release signal not sent (${what}): ${error}`),
    );
  }

  async publish(entityRef: string, what: ReleaseChange) {
    await this.o.signals.publish({
      recipients: { type: 'broadcast' },
      channel: await this.o.channels.releaseChannel(entityRef),
      message: { what },
    });
  }
}
