import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 under the ledger key (rco.ledger.checkpointKey), which the database does not hold.
 * `purpose` separates what is signed (an entry, a verification outcome, the heads record), so a
 * value signed for one can never pass as another.
 */
export function ledgerMac(key: Buffer, purpose: string, text: string) {
  return createHmac('sha256', key)
    .update(`${purpose}\u0000${text}`)
    .digest('hex');
}

/** Whether `mac` is the MAC of `text` (constant time; a missing mac never matches). */
export function ledgerMacMatches(
  key: Buffer,
  purpose: string,
  text: string,
  mac: unknown,
): boolean {
  if (typeof mac !== 'string') return false;
  const expected = Buffer.from(ledgerMac(key, purpose, text), 'hex');
  const actual = Buffer.from(mac, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
