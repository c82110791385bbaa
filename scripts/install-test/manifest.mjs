// The release manifest `backstage-cli versions:bump` reads (BACKSTAGE_MANIFEST_FILE) to bring
// the fresh app to the Backstage release this project targets (backstage.json). The official
// manifest lives at versions.backstage.io, which CI machines here cannot reach, and the newest
// create-app on the registry writes an older release; so the manifest is made from what this
// repository itself resolved (yarn.lock): exactly the versions the packages were built and tested
// against. @backstage packages of the template this repository does not use get the registry's
// `latest`, which is what versions:bump's default release line would pick.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function lockedVersions(root) {
  const YAML = require(require.resolve('yaml', { paths: [root] }));
  const lock = YAML.parse(
    fs.readFileSync(path.join(root, 'yarn.lock'), 'utf8'),
  );
  const versions = new Map();
  for (const [key, entry] of Object.entries(lock)) {
    const m = key.match(/^"?(@backstage\/[^@]+)@npm:/);
    if (!m || !entry?.version) continue;
    const prev = versions.get(m[1]);
    if (!prev || compare(entry.version, prev) > 0)
      versions.set(m[1], entry.version);
  }
  return versions;
}

function compare(a, b) {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++)
    if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  return 0;
}

function appDependencies(app) {
  const names = new Set();
  const dirs = [
    '.',
    ...['packages', 'plugins'].flatMap(d =>
      fs.existsSync(path.join(app, d))
        ? fs.readdirSync(path.join(app, d)).map(x => path.join(d, x))
        : [],
    ),
  ];
  for (const dir of dirs) {
    const file = path.join(app, dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const field of [
      'dependencies',
      'devDependencies',
      'peerDependencies',
    ]) {
      for (const name of Object.keys(pkg[field] ?? {}))
        if (name.startsWith('@backstage/')) names.add(name);
    }
  }
  return [...names].sort();
}

async function registryLatest(name) {
  const res = await fetch(
    `https://registry.npmjs.org/${name.replace('/', '%2f')}`,
    {
      headers: { accept: 'application/vnd.npm.install-v1+json' },
    },
  );
  if (!res.ok) throw new Error(`registry answered ${res.status} for ${name}`);
  return (await res.json())['dist-tags'].latest;
}

export async function releaseManifest({ root, app, release }) {
  const locked = lockedVersions(root);
  const packages = [];
  for (const name of appDependencies(app)) {
    packages.push({
      name,
      version: locked.get(name) ?? (await registryLatest(name)),
    });
  }
  return { releaseVersion: release, packages };
}
