import { maskTexts } from '../../evidence/secrets/maskDocument';

/**
 * What people type into a decision (a waiver's or an override's justification, a sign-off's
 * comment) is stored, shown on the page, written to the ledger and sent in notifications, so it
 * goes through the same secret masking as every string of uploaded evidence: a credential pasted
 * into "why" is kept as `***REDACTED***`, the rest of the sentence as written.
 */
export async function withoutSecrets<T extends string | undefined>(
  text: T,
): Promise<T> {
  if (!text) return text;
  const [masked] = await maskTexts([text]);
  return masked as T;
}
