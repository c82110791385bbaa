// "Exactly one copy": the packages an app and its plugins must share (React, MUI, the core and
// frontend APIs). Two checks: `notShared` (the failure) finds a shared package that one of our
// packages resolves to another copy than the app or backend workspace that installs it does,
// which is what a dependency range the app's version does not satisfy causes; `singleCopies`
// lists every shared package installed twice at all, which a template can do by itself (the
// legacy template's @backstage/app-defaults still asks for frontend-plugin-api 0.18).
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

/** Where Node resolves `name` from `dir` (node-modules linker): the nearest node_modules up. */
export function resolveFrom(dir, name) {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, 'node_modules', name, 'package.json');
    if (fs.existsSync(file)) return fs.realpathSync(file);
    if (path.dirname(d) === d) return undefined;
  }
}

const WORKSPACES_FOR_ROLE = {
  'frontend-plugin': ['packages/app'],
  'web-library': ['packages/app'],
  'backend-plugin': ['packages/backend'],
  'backend-plugin-module': ['packages/backend'],
  'node-library': ['packages/backend'],
  'common-library': ['packages/app', 'packages/backend'],
};

/**
 * Lines naming each shared package that one of `scope`'s installed packages resolves to a
 * different copy than the workspace using it: the plugin would get its own React, its own
 * API refs, and break or duplicate state at run time.
 */
export function notShared(app, scope = '@helix-portal') {
  const problems = [];
  const ours = [];
  for (const root of [
    path.join(app, 'node_modules'),
    ...['packages', 'plugins'].flatMap(d =>
      fs.existsSync(path.join(app, d))
        ? fs
            .readdirSync(path.join(app, d))
            .map(p => path.join(app, d, p, 'node_modules'))
        : [],
    ),
  ]) {
    const dir = path.join(root, scope);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) ours.push(path.join(dir, name));
  }
  for (const dir of ours) {
    const pkg = JSON.parse(
      fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
    );
    const workspaces = WORKSPACES_FOR_ROLE[pkg.backstage?.role] ?? [
      'packages/app',
      'packages/backend',
    ];
    for (const name of SHARED) {
      const mine = resolveFrom(dir, name);
      if (!mine) continue;
      for (const ws of workspaces) {
        const theirs = resolveFrom(path.join(app, ws), name);
        if (theirs && theirs !== mine) {
          problems.push(
            `${pkg.name} uses ${name} from ${path.relative(
              app,
              mine,
            )}, ${ws} from ${path.relative(app, theirs)}`,
          );
        }
      }
    }
  }
  return problems;
}
