import fs from 'node:fs';
import path from 'node:path';

/** The fixtures generate.js wrote (see README.md beside them). */
export const fixture = (name: string): any =>
  // eslint-disable-next-line no-restricted-syntax -- test fixtures, never in a build
  JSON.parse(fs.readFileSync(path.join(__dirname, name), 'utf8'));

export const RELEASE = `sha256:${'1'.repeat(64)}`;
export const OTHER = `sha256:${'2'.repeat(64)}`;
export const MANIFEST_DIGEST = `sha256:b0ff67b72a1d087090ad4fe635c35ad2752dd27d26f9435bb7877f40ecdc0bc3`;
export const GITHUB = 'https://token.actions.githubusercontent.com';
export const RCO_WORKFLOW =
  'https://github.com/helix/rco/.github/workflows/release.yml@refs/heads/main';
export const PAYMENTS_WORKFLOW =
  'https://github.com/helix/payments/.github/workflows/release.yml@refs/heads/main';
