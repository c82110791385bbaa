// "Exactly one copy": the packages an app and its plugins must share (React, MUI, the core and
// frontend APIs) may be installed only once in the fresh app's node_modules; a second copy means
// a plugin's dependency range does not accept what the app has.
import fs from 'node:fs';
import path from 'node:path';

export const SHARED = [
  'react',
  'react-dom',
  'react-router-dom',
  '@material-ui/core',
  '@material-ui/styles',
  '@backstage/core-plugin-api',
  '@backstage/core-components',
  '@backstage/core-app-api',
  '@backstage/frontend-plugin-api',
  '@backstage/plugin-catalog-react',
  '@backstage/backend-plugin-api',
  '@backstage/plugin-permission-common',
  '@backstage/plugin-permission-node',
];

function* packageJsons(dir, depth = 0) {
  if (depth > 12 || !fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
    if (entry.isSymbolicLink()) continue; // workspace links are walked from their own folder
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      yield* packageJsons(full, depth);
      continue;
    }
    const file = path.join(full, 'package.json');
    if (fs.existsSync(file)) yield file;
    yield* packageJsons(path.join(full, 'node_modules'), depth + 1);
  }
}

/** Lines naming each shared package installed in more than one version, with where. */
export function singleCopies(app) {
  const found = new Map();
  const roots = [path.join(app, 'node_modules')];
  for (const d of ['packages', 'plugins']) {
    const base = path.join(app, d);
    if (fs.existsSync(base))
      for (const p of fs.readdirSync(base))
        roots.push(path.join(base, p, 'node_modules'));
  }
  for (const root of roots) {
    for (const file of packageJsons(root)) {
      let pkg;
      try {
        pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      if (!SHARED.includes(pkg.name)) continue;
      const where = found.get(pkg.name) ?? new Map();
      where.set(pkg.version, [
        ...(where.get(pkg.version) ?? []),
        path.relative(app, file),
      ]);
      found.set(pkg.name, where);
    }
  }
  const problems = [];
  for (const [name, versions] of found) {
    if (versions.size > 1) {
      problems.push(
        `${name}: ${[...versions]
          .map(([v, files]) => `${v} (${files.join(', ')})`)
          .join('; ')}`,
      );
    }
  }
  return problems;
}
