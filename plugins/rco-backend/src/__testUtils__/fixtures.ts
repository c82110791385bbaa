import { Entity } from '@backstage/catalog-model';
import fs from 'node:fs';
import path from 'node:path';

/** The repository's examples folder: the real RCO catalog file and runbooks. */
export const examplesDir = path.resolve(__dirname, '../../../../examples');

export const readExample = (relative: string) =>
  fs.readFileSync(path.join(examplesDir, relative), 'utf8');

/** A governed component registered from a catalog file at `location` (`file:` or `url:`). */
export function governedEntity(
  name: string,
  location: string,
  annotations: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': location,
        'backstage.io/managed-by-origin-location': location,
        ...annotations,
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/rco-team',
    },
  };
}

/**
 * The shared real-world sample outputs (Trivy, Grype, Cosign, …), read by path: they live beside
 * the repository (`../shared/samples`) and are never copied in.
 */
export const samplesDir = path.resolve(
  __dirname,
  '../../../../../shared/samples',
);

export const readSample = (file: string) =>
  fs.readFileSync(path.join(samplesDir, file), 'utf8');
