// The portal the end-to-end tests run against when none is up already (playwright.config.ts):
// the backend as `yarn start` runs it, and the frontend built for production and served on
// port 3000. The development bundle (`yarn start`'s webpack dev server) is about 55 MB of
// unminified JavaScript, which every new browser context parses again: 15-30 s a page load on
// a 2-core machine, which made the journey tests run past their time. The built frontend loads
// in about 2 s, and it is what a platform team serves.
//
// Usage: node scripts/e2e-portal.mjs   (stops the backend when it is stopped)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'packages/app/dist');
const env = { ...process.env, BACKSTAGE_ENV: 'development' };
const configs = ['app-config.yaml', 'app-config.development.yaml'].flatMap(
  f => ['--config', path.join(root, f)],
);

const build = spawnSync('yarn', ['workspace', 'app', 'build', ...configs], {
  cwd: root,
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) {
  console.error(`e2e-portal: the frontend build failed (${build.status})`);
  process.exit(1);
}

// In this script's process group: Playwright stops its web server by killing the group
// (SIGKILL, no handler runs), and the backend must go with it (nothing may be left holding port
// 7007 after the tests).
const backend = spawn('yarn', ['workspace', 'backend', 'start'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
const stop = () => {
  backend.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
backend.on('exit', code => {
  console.error(`e2e-portal: the backend stopped (${code})`);
  process.exit(1);
});

/** Resolves once the backend answers its readiness check (the demo is seeded by then). */
async function backendReady() {
  for (;;) {
    try {
      const res = await fetch(
        'http://localhost:7007/.backstage/health/v1/readiness',
      );
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/** A file of the build, or the app's index.html for any route of the single-page app. */
function fileFor(url) {
  const pathname = decodeURIComponent(new URL(url, 'http://x').pathname);
  const file = path.join(dist, path.normalize(pathname));
  if (
    file.startsWith(dist + path.sep) &&
    fs.statSync(file, { throwIfNoEntry: false })?.isFile()
  ) {
    return file;
  }
  return path.join(dist, 'index.html');
}

await backendReady();
http
  .createServer((req, res) => {
    const file = fileFor(req.url ?? '/');
    res.setHeader(
      'Content-Type',
      types[path.extname(file)] ?? 'application/octet-stream',
    );
    fs.createReadStream(file).pipe(res);
  })
  .listen(3000, () => console.log('e2e-portal: the portal is up on 3000'));
