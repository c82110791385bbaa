import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRcoConfig } from '../config';
import { LedgerCheckpoints } from '../database/LedgerCheckpoints';
import { LedgerVerifier } from './LedgerVerifier';

const verifier = (key?: Buffer) => {
  const logger = mockServices.logger.mock();
  const scheduler = mockServices.scheduler.mock();
  const v = new LedgerVerifier(
    {} as any,
    {} as any,
    new LedgerCheckpoints(key),
    logger,
    60_000,
    86_400_000,
  );
  return { v, logger, scheduler };
};

describe('LedgerVerifier.schedule', () => {
  it('warns at start, saying what goes undetected, when no checkpoint key is configured', async () => {
    const { v, logger, scheduler } = verifier();
    await v.schedule(scheduler);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /no checkpoint key is configured .*recompute the hashes is not detected/,
      ),
    );
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'rco-ledger-verify', scope: 'global' }),
    );
  });

  it('does not warn with a key', async () => {
    const { v, logger, scheduler } = verifier(Buffer.alloc(32, 1));
    await v.schedule(scheduler);
    expect(logger.warn).not.toHaveBeenCalled();
  });
});

describe('rco.ledger checkpoint key configuration', () => {
  const read = (ledger: object) =>
    readRcoConfig(new ConfigReader({ rco: { ledger } })).ledger;

  it('reads the key inline or from a file, and has none by default', () => {
    expect(read({}).checkpointKey).toBeUndefined();
    expect(read({ checkpointKey: 'k'.repeat(32) }).checkpointKey).toEqual(
      Buffer.from('k'.repeat(32)),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-key-'));
    const file = path.join(dir, 'key');
    fs.writeFileSync(file, `${'f'.repeat(40)}\n`);
    expect(read({ checkpointKeyFile: file }).checkpointKey).toEqual(
      Buffer.from('f'.repeat(40)),
    );
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a short key, both settings at once, or an unreadable file, without echoing the key', () => {
    expect(() => read({ checkpointKey: 'short-secret' })).toThrow(
      /too short: use at least 32 random bytes$/,
    );
    expect(() =>
      read({ checkpointKey: 'k'.repeat(32), checkpointKeyFile: '/x' }),
    ).toThrow(/not both/);
    expect(() => read({ checkpointKeyFile: '/nonexistent/key' })).toThrow(
      /cannot read \/nonexistent\/key \(ENOENT\)/,
    );
    let message = '';
    try {
      read({ checkpointKey: 'short-secret' });
    } catch (e) {
      message = String(e);
    }
    expect(message).toMatch(/too short/);
    expect(message).not.toContain('short-secret');
  });
});
