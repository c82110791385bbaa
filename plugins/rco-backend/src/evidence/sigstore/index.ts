export { readSigstoreConfig } from './config';
export type { SigstoreConfig } from './config';
export { SigstoreVerifier } from './SigstoreVerifier';
export type { SignatureVerifier } from './SigstoreVerifier';
export { verifyBundle } from './verifyBundle';
export { signingPolicyDigest } from './signingPolicy';
export {
  CLAIM_REASON,
  EARLIER_POLICY_REASON,
  consoleVerified,
  signatureState,
  underSigningPolicy,
} from './signatureState';
