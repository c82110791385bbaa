import { InputError } from '@backstage/errors';
import { EvidenceSubject, NamedImage } from '@helix-portal/plugin-rco-common';
import { sha256Digest } from './parsers/mask';

/**
 * Splits an image reference (`registry/repo:tag`, `repo@sha256:…`, `repo:tag@sha256:…`) into its
 * repository, tag and digest. A bare word (`alpine`) is Docker Hub's `library/alpine`, as the
 * registries read it. Anything that is not a reference (a file path, a URL) yields undefined.
 */
export function parseImageReference(
  ref: string,
): { repository: string; tag?: string; digest?: string } | undefined {
  const trimmed = ref.trim();
  if (!trimmed || /\s|^\.|^\/|:\/\/|\.tar(\.gz)?$/i.test(trimmed))
    return undefined;
  const [named, digestPart] = trimmed.split('@', 2);
  const digest = digestPart ? sha256Digest(digestPart) : undefined;
  if (digestPart && !digest) return undefined;
  const lastSlash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > lastSlash ? named.slice(colon + 1) : undefined;
  const repository = tag !== undefined ? named.slice(0, colon) : named;
  if (!/^[a-z0-9][a-z0-9._\-/:]*$/i.test(repository)) return undefined;
  return { repository: normaliseRepository(repository), tag, digest };
}

/** Schemes Syft and Grype accept before an image reference; the others name files, not images. */
const REFERENCE_SCHEMES = ['docker:', 'podman:', 'registry:'];
const FILE_SCHEMES =
  /^(docker-archive|oci-archive|oci-dir|singularity|dir|file|sbom|purl|cpe):/i;

/**
 * The image reference a scanner's input names (Grype's `userInput`, Trivy's `ArtifactName`),
 * or undefined when it names a file or directory. A bare word is a reference: `alpine` is what
 * `docker pull alpine` pulls, docker.io/library/alpine, so it names that image.
 */
export function inputReference(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const trimmed = input.trim();
  if (FILE_SCHEMES.test(trimmed)) return undefined;
  const scheme = REFERENCE_SCHEMES.find(s =>
    trimmed.toLowerCase().startsWith(s),
  );
  const ref = scheme ? trimmed.slice(scheme.length) : trimmed;
  return parseImageReference(ref) ? ref : undefined;
}

/** A tag that reads as a version (1.5.0, v1.5, 2): latest, main or sha-abc say nothing of one. */
const VERSION_TAG = /^v?\d+(\.\d+)*([-+][0-9a-z.+-]+)?$/i;

export const isVersionTag = (tag: string) => VERSION_TAG.test(tag);

/**
 * Whether an image's tag agrees with the release version it is filed under: the same version
 * (a leading v aside), or a floating tag the version falls under (1.5 for 1.5.0). Tags that are
 * not versions agree with any version.
 */
export function tagAgreesWithVersion(tag: string, version: string): boolean {
  if (!isVersionTag(tag)) return true;
  const t = tag.replace(/^v/i, '');
  const v = version.replace(/^v/i, '');
  return t === v || v.startsWith(`${t}.`);
}

/** The canonical spelling registries use: docker.io/library/alpine for alpine. */
export function normaliseRepository(repository: string): string {
  const lower = repository.toLowerCase().replace(/\/+$/, '');
  const first = lower.split('/')[0];
  const hasRegistry =
    lower.includes('/') &&
    (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) {
    return lower.startsWith('index.docker.io/')
      ? `docker.io/${lower.slice('index.docker.io/'.length)}`
      : lower;
  }
  return lower.includes('/')
    ? `docker.io/${lower}`
    : `docker.io/library/${lower}`;
}

/**
 * Collects what documents say about their image into one NamedImage: `refs` are references
 * (tags or pinned digests), `digests` bare digests. Returns undefined when nothing is named.
 */
export function namedImage(input: {
  refs?: unknown[];
  digests?: unknown[];
  repositories?: unknown[];
}): NamedImage | undefined {
  const repositories = new Set<string>();
  const digests = new Set<string>();
  const tags = new Set<string>();
  for (const ref of input.refs ?? []) {
    if (typeof ref !== 'string') continue;
    const parsed = parseImageReference(ref);
    if (!parsed) continue;
    repositories.add(parsed.repository);
    if (parsed.digest) digests.add(parsed.digest);
    if (parsed.tag) tags.add(`${parsed.repository}:${parsed.tag}`);
  }
  for (const repo of input.repositories ?? []) {
    if (typeof repo !== 'string') continue;
    const parsed = parseImageReference(repo);
    if (parsed) repositories.add(parsed.repository);
  }
  for (const d of input.digests ?? []) {
    const digest = sha256Digest(d);
    if (digest && typeof d === 'string' && /^sha256:/i.test(d.trim()))
      digests.add(digest);
  }
  if (!repositories.size && !digests.size) return undefined;
  return {
    ...(repositories.size === 1 ? { repository: [...repositories][0] } : {}),
    repositories: [...repositories],
    digests: [...digests],
    tags: [...tags],
  };
}

/**
 * The image a package URL names: `pkg:oci/name@sha256%3A…?repository_url=registry/ns/name`
 * or `pkg:docker/ns/name@tag-or-digest?repository_url=registry`.
 */
export function purlImage(purl: unknown): string | undefined {
  if (typeof purl !== 'string') return undefined;
  const m = /^pkg:(oci|docker)\/([^@?#]+)(?:@([^?#]+))?(?:\?([^#]*))?/i.exec(
    purl,
  );
  if (!m) return undefined;
  const [, type, name, version, query] = m;
  const params = new URLSearchParams(query ?? '');
  const repoUrl = params.get('repository_url') ?? undefined;
  const decodedName = decodeURIComponent(name);
  let repository: string;
  if (type.toLowerCase() === 'oci') repository = repoUrl ?? decodedName;
  else repository = repoUrl ? `${repoUrl}/${decodedName}` : decodedName;
  const v = version ? decodeURIComponent(version) : undefined;
  if (!v) return repository;
  return v.startsWith('sha256:') ? `${repository}@${v}` : `${repository}:${v}`;
}

/** The repositories an entity's images live in: rco.environments[].imageRepository, {name} filled. */
export function entityRepositories(
  templates: Array<string | undefined>,
  entityName: string,
): string[] {
  return [
    ...new Set(
      templates
        .filter((t): t is string => !!t)
        .map(t => normaliseRepository(t.replace('{name}', entityName))),
    ),
  ];
}

/**
 * What a document is about, from what it says and the upload's query parameters. A query
 * parameter only fills in what the document does not say: a contradiction is refused with both
 * values named, and so is a document naming another image than the one it is filed under or
 * another repository than the entity's (skipped when the entity has none configured).
 */
export function resolveSubject(input: {
  where: string;
  document: EvidenceSubject & { image?: NamedImage };
  query: EvidenceSubject;
  repositories: string[];
}): EvidenceSubject {
  const { where, document, query, repositories } = input;
  const image = document.image;
  // A short commit names the same commit as the full one it begins.
  const commitsAgree = (a: string, b: string) =>
    a.length >= 7 && b.length >= 7 && (a.startsWith(b) || b.startsWith(a));
  for (const field of ['version', 'commit', 'environment'] as const) {
    const said = document[field];
    const asked = query[field];
    if (
      said !== undefined &&
      asked !== undefined &&
      said !== asked &&
      !(field === 'commit' && commitsAgree(said, asked))
    )
      throw new InputError(
        `${where} says ${field} ${said} but was filed with ${field}=${asked}`,
      );
  }
  const digest = query.digest ?? document.digest;
  const named = image?.digests ?? [];
  if (digest && named.length && !named.includes(digest)) {
    throw new InputError(
      `${where} is about image ${named.join(
        ', ',
      )} but was filed under digest ${digest}`,
    );
  }
  if (repositories.length && image) {
    const foreign = image.repositories.filter(r => !repositories.includes(r));
    if (foreign.length)
      throw new InputError(
        `${where} is about image ${foreign.join(
          ', ',
        )}, not this service's repository ${repositories.join(' or ')}`,
      );
  }
  // The tags a document names are versions of the image too (registry.example/rco:0.9.0 is
  // not release 1.5.0): when the version is known, one version-like tag must agree with it.
  const version = query.version ?? document.version;
  const tagOf = (ref: string) => ref.slice(ref.lastIndexOf(':') + 1);
  const versionTags = (image?.tags ?? []).filter(t => isVersionTag(tagOf(t)));
  if (
    version &&
    versionTags.length &&
    !versionTags.some(t => tagAgreesWithVersion(tagOf(t), version))
  )
    throw new InputError(
      `${where} is about image ${versionTags.join(
        ', ',
      )} but was filed under version ${version}`,
    );
  return {
    version,
    digest,
    // The document's full commit rather than a query's short form of it.
    commit: document.commit ?? query.commit,
    environment: query.environment ?? document.environment,
  };
}
