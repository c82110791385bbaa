import { DeployCluster, DeployRelease } from '@helix-portal/plugin-rco-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/**
 * The image fields the driver writes into the values file.
 *
 * Convention (the common `image.repository` / `image.tag` layout of `helm create` charts, plus
 * `image.digest` as Bitnami-style charts name it):
 * - `repo:tag` → `image.repository = repo`, `image.tag = tag`;
 * - `repo@sha256:…` (with or without a tag before the `@`) → `image.repository = repo`,
 *   `image.digest = sha256:…`, and `image.tag` is removed so a tag left in the configured values
 *   cannot silently win over the digest. The chart must honour `image.digest`.
 * - `repo` alone → only `image.repository` (the chart's default tag applies).
 *
 * @public
 */
export interface HelmImageValues {
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Splits an image reference into the values of {@link HelmImageValues}.
 *
 * @public
 */
export function imageValues(image: string): HelmImageValues {
  const at = image.indexOf('@');
  if (at >= 0) {
    const digest = image.slice(at + 1);
    const named = image.slice(0, at);
    return { repository: stripTag(named).repository, digest };
  }
  return stripTag(image);
}

/** A tag is the part after the last `:` only when that `:` follows the last `/` (not a port). */
function stripTag(ref: string): HelmImageValues {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) {
    return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  }
  return { repository: ref };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The configured values with the release's image merged in under `image` (see
 * {@link HelmImageValues}). The input is not modified.
 *
 * @public
 */
export function mergeReleaseValues(
  values: Record<string, unknown> | undefined,
  release: DeployRelease,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(values ?? {}) };
  if (!release.image) return merged;
  const parsed = imageValues(release.image);
  const image: Record<string, unknown> = isPlainObject(merged.image)
    ? { ...merged.image }
    : {};
  image.repository = parsed.repository;
  if (parsed.digest) {
    image.digest = parsed.digest;
    delete image.tag;
  } else if (parsed.tag) {
    image.tag = parsed.tag;
    // A digest from the configured values would pin the old image despite the new tag.
    delete image.digest;
  }
  merged.image = image;
  return merged;
}

/**
 * A kubeconfig (YAML) for one cluster of the Kubernetes plugin's config, authenticating with its
 * service account token. With `skipTLSVerify` the CA is left out: client-go refuses a kubeconfig
 * that sets both.
 *
 * @public
 */
export function kubeconfigFor(
  cluster: DeployCluster,
  namespace: string,
): string {
  const clusterEntry: Record<string, unknown> = { server: cluster.url };
  if (cluster.skipTLSVerify) {
    clusterEntry['insecure-skip-tls-verify'] = true;
  } else if (cluster.caData) {
    clusterEntry['certificate-authority-data'] = cluster.caData;
  }
  const user: Record<string, unknown> = {};
  if (cluster.serviceAccountToken) user.token = cluster.serviceAccountToken;
  const context = 'rco';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster.name, cluster: clusterEntry }],
    users: [{ name: 'rco', user }],
    contexts: [
      {
        name: context,
        context: { cluster: cluster.name, user: 'rco', namespace },
      },
    ],
    'current-context': context,
  });
}

/**
 * A private temporary directory (mode 0700) for one helm call. Files in it are written with mode
 * 0600 because they hold the cluster token and the values; `dispose` removes everything and is
 * safe to call more than once.
 */
export class HelmWorkDir {
  private constructor(readonly dir: string) {}

  /** Creates the directory under `parent` (the OS temp directory by default). */
  static async create(parent?: string): Promise<HelmWorkDir> {
    const base = parent ?? os.tmpdir();
    const dir = await fs.mkdtemp(path.join(base, 'rco-helm-'));
    // mkdtemp already creates 0700; chmod makes that independent of platform defaults.
    await fs.chmod(dir, 0o700);
    return new HelmWorkDir(dir);
  }

  /** Writes a new file readable only by this process's user and returns its path. */
  async writePrivate(name: string, content: string): Promise<string> {
    const file = path.join(this.dir, name);
    // `wx`: never follow or reuse a file someone else placed there.
    await fs.writeFile(file, content, { mode: 0o600, flag: 'wx' });
    return file;
  }

  async dispose(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
