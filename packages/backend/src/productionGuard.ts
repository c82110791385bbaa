import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { createHash } from 'node:crypto';
import fs from 'node:fs';

/**
 * Configuration that only the local portal may carry: sign-in without an identity provider (the
 * guest, the demo users) and invented evidence. Each of them lets whoever reaches the portal act
 * as somebody or believe something, so a production backend that finds one must not start, even
 * though the providers also refuse to sign anyone in outside development: a configuration that
 * says otherwise is a mistake someone should see at once, not a silent no-op.
 */
const DEMO_ONLY: Array<{ key: string; what: string }> = [
  { key: 'auth.providers.guest', what: 'guest sign-in' },
  { key: 'auth.providers.demoUsers', what: 'the demo users sign-in' },
  { key: 'rco.demoEvidence', what: 'the demo evidence' },
  { key: 'rco.demoClusters', what: 'the simulated clusters' },
  {
    key: 'rco.sigstore',
    what: "the demo Sigstore root, whose CA's keys were thrown away: nothing real verifies against it",
  },
];

/** The local portal's Sigstore root (examples/rco/sigstore), under whatever folder it is read from. */
const DEMO_ROOT = /(^|[\\/])demo-trusted-root\.json$/;

/**
 * sha256 of the demo root's CA certificate and its Rekor and CT log keys (the base64 rawBytes as
 * written): a copy of the root under another name, or inline, is still the demo root. The
 * fixtures' generator makes new keys each run: the current root's first, then earlier ones
 * (a copy of an earlier demo root is a demo root too).
 */
const DEMO_ROOT_KEYS = new Set([
  '231132d49055a5f25c3f7f0085afd3036e6a0745c090fb2e5d2ff19f9b48df90',
  'f96ad5f24920c0379080aef87a9a4d4e6e4454df493d753e7f33a6ba5cf268a5',
  '8267a65ced6d075ecc73cfc86c222adb2e2db0d2eaea345fb0898f70dae0069a',
  '9da7c332d90f0e5e8995070a4734eb637421d24f7e536e1fb264db07658144e1',
  '7aa6e1630e9c16d75840ce94a2ed4c4013915c3b6330cd22ebaee8c117d2f4ec',
  '9feb4cef41e8637d0e12abfb9c0f32503a37b6a1423bee4f6ca6906b3d15a4f2',
]);

/** The rawBytes a trusted root holds: CA certificates and log keys. */
function rootKeys(root: any): string[] {
  const raw = (v: unknown) => (typeof v === 'string' ? [v] : []);
  return [
    ...(root?.certificateAuthorities ?? []).flatMap((ca: any) =>
      (ca?.certChain?.certificates ?? []).flatMap((c: any) => raw(c?.rawBytes)),
    ),
    ...[...(root?.tlogs ?? []), ...(root?.ctlogs ?? [])].flatMap((l: any) =>
      raw(l?.publicKey?.rawBytes),
    ),
  ];
}

/** Whether the configured root (file or inline) is the demo root, by name or by its keys. */
function isDemoRoot(config: Config): boolean {
  const file = config.getOptionalString('rco.sigstore.trustedRootFile');
  if (file && DEMO_ROOT.test(file)) return true;
  let root: unknown = config.getOptional('rco.sigstore.trustedRoot');
  try {
    if (typeof root === 'string') root = JSON.parse(root);
    // An unreadable file is the plugin's to refuse, with its own message.
    if (file && fs.existsSync(file))
      root = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
  return rootKeys(root).some(k =>
    DEMO_ROOT_KEYS.has(createHash('sha256').update(k).digest('hex')),
  );
}

/** What makes this configuration unfit for production; empty when it is fit. */
export function productionConfigProblems(config: Config): string[] {
  return DEMO_ONLY.filter(({ key }) => {
    if (key === 'rco.demoEvidence')
      return config.getOptionalBoolean(key) === true;
    if (key === 'rco.sigstore') return isDemoRoot(config);
    return config.has(key);
  }).map(
    ({ key, what }) =>
      `${key} is configured (${what}): it belongs in app-config.development.yaml only`,
  );
}

/**
 * Refuses to start a backend outside development and tests (NODE_ENV) whose configuration holds a demo identity
 * or demo evidence. Registered as a module of the auth plugin, which every portal runs, so the
 * whole backend fails to start.
 */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'production-guard',
  register(reg) {
    reg.registerInit({
      deps: { config: coreServices.rootConfig },
      async init({ config }) {
        // Anything but the local portal and the tests counts as production: a deployment
        // that forgot NODE_ENV (or calls it staging) must not run demo identities either.
        const env = process.env.NODE_ENV;
        if (env === 'development' || env === 'test') return;
        const problems = productionConfigProblems(config);
        if (problems.length) {
          throw new Error(
            `Refusing to start in production: ${problems.join('; ')}`,
          );
        }
      },
    });
  },
});
