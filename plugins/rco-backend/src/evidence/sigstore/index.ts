export { readSigstoreConfig } from './config';
export type { SigstoreConfig } from './config';
export { SigstoreVerifier } from './SigstoreVerifier';
export type { SignatureVerifier } from './SigstoreVerifier';
export { verifyBundle } from './verifyBundle';
export {
  CLAIM_REASON,
  consoleVerified,
  signatureState,
} from './signatureState';
