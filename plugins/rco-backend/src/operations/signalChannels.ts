import { createHmac, randomBytes } from 'node:crypto';
import { Knex } from 'knex';
import { normalizeEntityRef } from '../lib/entityRefs';

const KEY_NAME = 'signals-channel';

/**
 * The Backstage signals channels of an entity: its operations and its release. Anyone signed in may subscribe to
 * any channel, so the name must neither contain the entity ref nor be computable from it: it is
 * `rco:operations:` and an HMAC-SHA256 of the normalised ref under a key generated once and kept
 * in the plugin's database (every replica derives the same channel). The page learns the channel
 * only from an API response that has already applied catalog visibility (the capabilities).
 */
export class SignalChannels {
  private key?: Promise<Buffer>;

  constructor(private readonly db: Knex) {}

  async operationsChannel(entityRef: string): Promise<string> {
    return `rco:operations:${await this.mac('operations', entityRef)}`;
  }

  /**
   * The channel of an entity's release: evidence, decisions and runbook changes (nudges only).
   * Its own MAC input, so neither channel name tells the other.
   */
  async releaseChannel(entityRef: string): Promise<string> {
    return `rco:release:${await this.mac('release', entityRef)}`;
  }

  private async mac(purpose: string, entityRef: string) {
    return createHmac('sha256', await this.loadKey())
      .update(`${purpose}\n${normalizeEntityRef(entityRef)}`)
      .digest('hex');
  }

  private loadKey(): Promise<Buffer> {
    this.key ??= this.readOrCreate().catch(error => {
      this.key = undefined; // a failed read is tried again on the next call
      throw error;
    });
    return this.key;
  }

  private async readOrCreate(): Promise<Buffer> {
    const read = async () =>
      (await this.db('rco_keys').where({ name: KEY_NAME }).first())?.value;
    let value = await read();
    if (!value) {
      // Replicas starting together: the first insert wins and everybody reads it back.
      await this.db('rco_keys')
        .insert({
          name: KEY_NAME,
          value: randomBytes(32).toString('base64'),
          created_at: new Date(),
        })
        .onConflict('name')
        .ignore();
      value = await read();
    }
    if (!value) throw new Error('The signals channel key could not be stored');
    return Buffer.from(value, 'base64');
  }
}
