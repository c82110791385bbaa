import { readSample } from '../__testUtils__/fixtures';
import { builtinParsers } from './parsers';
import {
  entityRepositories,
  inputReference,
  namedImage,
  parseImageReference,
  purlImage,
  resolveSubject,
  tagAgreesWithVersion,
} from './imageIdentity';

const D = `sha256:${'a'.repeat(64)}`;
const E = `sha256:${'b'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each([
    ['alpine', { repository: 'docker.io/library/alpine' }],
    ['alpine:3.10', { repository: 'docker.io/library/alpine', tag: '3.10' }],
    ['org/app:1', { repository: 'docker.io/org/app', tag: '1' }],
    [
      'ghcr.io/aquasecurity/trivy-test-images:alpine-310',
      {
        repository: 'ghcr.io/aquasecurity/trivy-test-images',
        tag: 'alpine-310',
      },
    ],
    [
      `localhost:5000/app@${D}`,
      { repository: 'localhost:5000/app', digest: D },
    ],
    [
      `Registry.Example/RCO:1.2@${D}`,
      { repository: 'registry.example/rco', tag: '1.2', digest: D },
    ],
    ['testdata/fixtures/images/alpine-310.tar.gz', undefined],
    ['/abs/path', undefined],
    ['https://example.com/x', undefined],
    ['repo@md5:abc', undefined],
  ])('%s', (ref, expected) => {
    // toEqual ignores the undefined tag or digest of a parsed reference.
    expect(parseImageReference(ref)).toEqual(expected);
  });
});

describe('inputReference', () => {
  it.each([
    ['alpine', 'alpine'],
    ['registry.example/rco:1.5.0', 'registry.example/rco:1.5.0'],
    ['docker:alpine:3.10', 'alpine:3.10'],
    ['registry:ghcr.io/x/y:1', 'ghcr.io/x/y:1'],
    ['podman:org/app', 'org/app'],
    ['docker-archive:rco.tar', undefined],
    ['oci-dir:./build/image', undefined],
    ['dir:.', undefined],
    ['rco.tar', undefined],
    ['testdata/fixtures/images/alpine-310.tar.gz', undefined],
    [42, undefined],
  ])('%s', (input, expected) => expect(inputReference(input)).toBe(expected));
});

describe('tagAgreesWithVersion', () => {
  it.each([
    ['1.5.0', '1.5.0', true],
    ['v1.5.0', '1.5.0', true],
    ['1.5.0', 'v1.5.0', true],
    ['1.5', '1.5.0', true],
    ['1', '1.5.0', true],
    ['0.9.0', '1.5.0', false],
    ['15', '1.5.0', false],
    ['1.5.0-rc.1', '1.5.0', false],
    ['latest', '1.5.0', true],
    ['sha-abc123', '1.5.0', true],
    ['main', '1.5.0', true],
  ])('tag %s, version %s: %s', (tag, version, expected) =>
    expect(tagAgreesWithVersion(tag, version)).toBe(expected),
  );
});

describe('purlImage', () => {
  it.each([
    [
      `pkg:oci/rco@sha256%3A${'a'.repeat(
        64,
      )}?repository_url=registry.example/rco`,
      `registry.example/rco@${D}`,
    ],
    [
      'pkg:docker/org/app@1.2?repository_url=registry.example',
      'registry.example/org/app:1.2',
    ],
    ['pkg:npm/left-pad@1.0.0', undefined],
    [42, undefined],
  ])('%s', (purl, expected) => expect(purlImage(purl)).toBe(expected));
});

describe('what the real samples name', () => {
  const parse = (kind: string, file: string) =>
    builtinParsers
      .find(p => p.kind === kind)!
      .parse(JSON.parse(readSample(file)));

  it('Trivy: its RepoTags (trivy-test-images), not the tarball path nor the config digest', () => {
    expect(parse('trivy', 'trivy-image-alpine310.json').image).toEqual({
      repository: 'ghcr.io/aquasecurity/trivy-test-images',
      repositories: ['ghcr.io/aquasecurity/trivy-test-images'],
      digests: [],
      tags: ['ghcr.io/aquasecurity/trivy-test-images:alpine-310'],
    });
  });

  it('Grype: its manifest digest, and the bare user input as the Docker Hub image it pulls', () => {
    const sample = JSON.parse(readSample('grype-json-image.json'));
    expect(parse('grype', 'grype-json-image.json').image).toEqual({
      repository: 'docker.io/library/user-input',
      repositories: ['docker.io/library/user-input'],
      digests: [sample.source.target.manifestDigest],
      tags: [],
    });
  });

  it("Trivy: Metadata.Reference, and an image scan's ArtifactName that is a reference", () => {
    const sample = JSON.parse(readSample('trivy-image-alpine310.json'));
    sample.Metadata.RepoTags = [];
    sample.Metadata.Reference = 'ghcr.io/x/y:1';
    sample.ArtifactName = 'docker.io/library/alpine:3.10';
    expect(
      builtinParsers.find(p => p.kind === 'trivy')!.parse(sample).image,
    ).toEqual({
      repositories: ['ghcr.io/x/y', 'docker.io/library/alpine'],
      digests: [],
      tags: ['ghcr.io/x/y:1', 'docker.io/library/alpine:3.10'],
    });
    // A filesystem scan's ArtifactName is a path, whatever it looks like.
    sample.ArtifactType = 'filesystem';
    sample.ArtifactName = 'app';
    delete sample.Metadata.Reference;
    expect(
      builtinParsers.find(p => p.kind === 'trivy')!.parse(sample).image,
    ).toBeUndefined();
  });

  it("cosign: the signed digest and the identity's docker-reference", () => {
    const sample = JSON.parse(readSample('cosign-verify-key-based.json'));
    expect(parse('cosign', 'cosign-verify-key-based.json').image).toEqual({
      repository: 'localhost:5000/tcpconnect',
      repositories: ['localhost:5000/tcpconnect'],
      digests: [sample[0].critical.image['docker-manifest-digest']],
      tags: [],
    });
  });

  it('CycloneDX of a pom (an application, not an image): names none', () => {
    expect(
      parse('cyclonedx', 'cyclonedx-1.7-trivy-pom-with-vulns.json').image,
    ).toBeUndefined();
  });
});

describe('resolveSubject', () => {
  const where = 'The document';
  const image = namedImage({ refs: [`registry.example/rco@${D}`] });

  it('fills in from the query what the document does not say', () => {
    expect(
      resolveSubject({
        where,
        document: { image },
        query: { digest: D, version: '1.0.0', environment: 'production' },
        repositories: ['registry.example/rco'],
      }),
    ).toEqual({
      digest: D,
      version: '1.0.0',
      commit: undefined,
      environment: 'production',
    });
  });

  it.each([
    [
      'another digest than the one it is filed under',
      { document: { image }, query: { digest: E } },
      [D, E],
    ],
    [
      "another repository than the entity's",
      {
        document: {
          image: namedImage({ refs: ['ghcr.io/x/y:1'] }),
        },
        query: {},
      },
      ['ghcr.io/x/y', 'registry.example/rco'],
    ],
    [
      'a version the document contradicts',
      { document: { version: '2.0.0' }, query: { version: '1.0.0' } },
      ['2.0.0', '1.0.0'],
    ],
    [
      'a tag of another version than the one it is filed under',
      {
        document: {
          image: namedImage({ refs: ['registry.example/rco:0.9.0'] }),
        },
        query: { version: '1.5.0' },
      },
      ['registry.example/rco:0.9.0', '1.5.0'],
    ],
    [
      'a commit that is not the one the document names',
      { document: { commit: 'abcdef0123' }, query: { commit: '1234567' } },
      ['abcdef0123', '1234567'],
    ],
  ])('refuses %s, naming both', (_name, input, named) => {
    expect(() =>
      resolveSubject({
        where,
        repositories: ['registry.example/rco'],
        ...(input as any),
      }),
    ).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringMatching(
          new RegExp(
            named.map(n => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'),
          ),
        ),
      }),
    );
  });

  it('accepts a short commit of the full one, and keeps the full one', () => {
    expect(
      resolveSubject({
        where,
        document: { commit: 'abcdef0123456' },
        query: { commit: 'abcdef0' },
        repositories: [],
      }).commit,
    ).toBe('abcdef0123456');
  });

  it('accepts tags that agree with the version or are no version at all', () => {
    expect(
      resolveSubject({
        where,
        document: {
          image: namedImage({
            refs: [
              'registry.example/rco:1.5.0',
              'registry.example/rco:0.9.0',
              'registry.example/rco:latest',
            ],
          }),
        },
        query: { version: '1.5.0', digest: D },
        repositories: ['registry.example/rco'],
      }).version,
    ).toBe('1.5.0');
  });

  it('skips the repository check when the entity has no repository configured', () => {
    expect(() =>
      resolveSubject({
        where,
        document: { image: namedImage({ refs: ['ghcr.io/x/y:1'] }) },
        query: {},
        repositories: [],
      }),
    ).not.toThrow();
  });
});

describe('entityRepositories', () => {
  it('fills {name}, normalises, and drops environments without one', () => {
    expect(
      entityRepositories(
        ['registry.example/{name}', undefined, 'Registry.Example/rco'],
        'rco',
      ),
    ).toEqual(['registry.example/rco']);
  });
});
