import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import productionGuard, { productionConfigProblems } from './productionGuard';

const root = path.resolve(__dirname, '../../..');
const readYaml = (file: string) =>
  parse(fs.readFileSync(path.join(root, file), 'utf8'));

/** The configuration a production backend loads: app-config.yaml, then the production file. */
const productionConfig = () =>
  ConfigReader.fromConfigs([
    { context: 'app-config.yaml', data: readYaml('app-config.yaml') },
    {
      context: 'app-config.production.yaml',
      data: readYaml('app-config.production.yaml'),
    },
  ]);

// The guard is a module of the auth plugin; this stand-in lets it start without the real one.
const authStandIn = createBackendPlugin({
  pluginId: 'auth',
  register(env) {
    env.registerInit({ deps: {}, async init() {} });
  },
});

describe('production guard', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  const start = (data: object) =>
    startTestBackend({
      features: [
        authStandIn,
        productionGuard,
        mockServices.rootConfig.factory({ data }),
      ],
    });

  it.each([undefined, 'staging'])(
    'refuses with NODE_ENV %s too: only development and tests may run demo identities',
    async nodeEnvValue => {
      if (nodeEnvValue === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnvValue;
      await expect(
        start({ auth: { providers: { guest: {} } } }),
      ).rejects.toThrow(/Refusing to start in production/);
    },
  );

  it.each([
    ['guest sign-in', { auth: { providers: { guest: {} } } }],
    [
      'the demo users',
      { auth: { providers: { demoUsers: { users: ['x'] } } } },
    ],
    ['the demo evidence', { rco: { demoEvidence: true } }],
    [
      'the simulated clusters',
      { rco: { demoClusters: [{ name: 'c', dir: 'd', port: 7011 }] } },
    ],
    [
      'the demo Sigstore root',
      {
        rco: {
          sigstore: {
            trustedRootFile:
              '/srv/portal/examples/rco/sigstore/demo-trusted-root.json',
          },
        },
      },
    ],
  ])('refuses to start in production with %s configured', async (_, data) => {
    process.env.NODE_ENV = 'production';
    await expect(start(data)).rejects.toThrow(
      /Refusing to start in production: .*app-config\.development\.yaml/,
    );
  });

  it('refuses the demo Sigstore root by its keys: renamed, or inline', async () => {
    process.env.NODE_ENV = 'production';
    const demo = fs.readFileSync(
      path.join(root, 'examples/rco/sigstore/demo-trusted-root.json'),
      'utf8',
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-guard-'));
    try {
      const renamed = path.join(dir, 'trusted_root.json');
      fs.writeFileSync(renamed, demo);
      for (const sigstore of [
        { trustedRootFile: renamed },
        { trustedRoot: demo },
        { trustedRoot: JSON.parse(demo) },
      ])
        await expect(start({ rco: { sigstore } })).rejects.toThrow(
          /rco\.sigstore is configured \(the demo Sigstore root/,
        );
      // A root with other keys starts.
      const real = path.join(dir, 'real.json');
      fs.writeFileSync(
        real,
        JSON.stringify({
          mediaType:
            'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
          certificateAuthorities: [
            { certChain: { certificates: [{ rawBytes: 'MIIB+real' }] } },
          ],
          tlogs: [{ publicKey: { rawBytes: 'MFkwreal' } }],
        }),
      );
      await (
        await start({ rco: { sigstore: { trustedRootFile: real } } })
      ).stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts in production without them, and in development with them', async () => {
    process.env.NODE_ENV = 'production';
    await (
      await start({
        rco: {
          demoEvidence: false,
          sigstore: { trustedRootFile: '/etc/sigstore/trusted_root.json' },
        },
      })
    ).stop();
    process.env.NODE_ENV = 'development';
    await (await start({ auth: { providers: { guest: {} } } })).stop();
  });

  it('the files production loads carry no demo identity or demo evidence', () => {
    expect(productionConfigProblems(productionConfig())).toEqual([]);
    // …while the local portal's own file does, which is why production never loads it.
    const local = ConfigReader.fromConfigs([
      { context: 'base', data: readYaml('app-config.yaml') },
      { context: 'dev', data: readYaml('app-config.development.yaml') },
    ]);
    expect(productionConfigProblems(local)).toHaveLength(5);
  });

  it("production's content security policy is tight", () => {
    const csp = productionConfig().getConfig('backend.csp');
    const directive = (name: string) => csp.getStringArray(name);
    expect(directive('connect-src')).toEqual(["'self'"]);
    expect(directive('script-src')).toEqual(["'self'"]);
    expect(directive('default-src')).toEqual(["'self'"]);
    expect(directive('frame-ancestors')).toEqual(["'none'"]);
    expect(directive('object-src')).toEqual(["'none'"]);
    for (const name of csp.keys()) {
      const values = directive(name);
      expect(values).not.toContain("'unsafe-eval'");
      expect(values.filter(v => /^(https?:|\*)$/.test(v))).toEqual([]);
    }
  });
});
