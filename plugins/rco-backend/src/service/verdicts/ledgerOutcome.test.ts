import { ConfigReader } from '@backstage/config';
import { readRcoConfig } from '../../config';
import { ReleaseService } from '../ReleaseService';

describe('ReleaseService.ledgerOutcome', () => {
  it('judges every stored verdict again when the ledger verification outcome changes, not when it repeats', () => {
    const releases = new ReleaseService(
      {} as any,
      {} as any,
      {} as any,
      {} as any,
      readRcoConfig(new ConfigReader({})),
    );
    const recomputeAll = jest.fn(async () => {});
    releases.verdicts = { recompute: jest.fn(), recomputeAll };
    releases.ledgerOutcome(true);
    expect(recomputeAll).toHaveBeenCalledTimes(1);
    releases.ledgerOutcome(true);
    expect(recomputeAll).toHaveBeenCalledTimes(1);
    // Tampering found: the ledger pillar of every service changes.
    releases.ledgerOutcome(false);
    expect(recomputeAll).toHaveBeenCalledTimes(2);
  });
});
