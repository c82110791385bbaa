// What the page needs around it: the production build served as static files, and every /api
// request it makes answered by Playwright routes (sign-in, catalog, rco), none reaching a backend.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { portfolio } = require('./portfolio');

/** A token the app can read its expiry from (it is never checked: no backend is involved). */
function fakeToken() {
  const b64 = o => Buffer.from(JSON.stringify(o)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${b64({ alg: 'none' })}.${b64({
    sub: 'user:default/guest',
    ent: ['user:default/guest'],
    exp,
  })}.sig`;
}

const group = ref => {
  const name = ref.split('/').pop();
  const kind = ref.startsWith('user:') ? 'User' : 'Group';
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec:
      kind === 'Group'
        ? { type: 'team', children: [], profile: { displayName: name } }
        : {},
  };
};

/** Answers every /api request of the page; returns the paths it could not answer. */
async function routeApi(context, data) {
  const unanswered = new Map();
  const token = fakeToken();
  await context.route(
    url => new URL(url).pathname.startsWith('/api/'),
    async route => {
      const req = route.request();
      const url = new URL(req.url());
      const p = url.pathname;
      const json = (body, status = 200) =>
        route.fulfill({
          status,
          contentType: 'application/json',
          body: JSON.stringify(body),
        });
      if (p === '/api/auth/guest/refresh') {
        return json({
          profile: { displayName: 'Guest' },
          providerInfo: {},
          backstageIdentity: {
            token,
            expiresInSeconds: 3600,
            identity: {
              type: 'user',
              userEntityRef: 'user:default/guest',
              ownershipEntityRefs: ['user:default/guest'],
            },
          },
        });
      }
      if (p === '/api/rco/portfolio') {
        return json(portfolio(data.rows, url.searchParams));
      }
      if (p === '/api/rco/portfolio/export') {
        return route.fulfill({
          status: 200,
          contentType: 'text/csv',
          body: 'entityRef\n',
        });
      }
      if (p === '/api/catalog/entities/by-refs') {
        const refs = JSON.parse(req.postData() ?? '{}').entityRefs ?? [];
        return json({ items: refs.map(group) });
      }
      if (p.startsWith('/api/catalog/entities/by-name/')) {
        const [, , , , , kind, namespace, name] = p.split('/');
        return json(group(`${kind.toLowerCase()}:${namespace}/${name}`));
      }
      unanswered.set(p, (unanswered.get(p) ?? 0) + 1);
      return json(
        { error: { name: 'NotFoundError', message: 'not in the bench' } },
        404,
      );
    },
  );
  return unanswered;
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** packages/app/dist, with index.html for any path that is not a file (the app's routes). */
function serveDist(DIST, PORT) {
  const BASE = `http://localhost:${PORT}`;
  const server = http.createServer((req, res) => {
    const clean = path.normalize(
      decodeURIComponent(new URL(req.url, BASE).pathname),
    );
    let file = path.join(DIST, clean);
    if (
      !file.startsWith(DIST) ||
      !fs.existsSync(file) ||
      fs.statSync(file).isDirectory()
    ) {
      file = path.join(DIST, 'index.html');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise(resolve => server.listen(PORT, () => resolve(server)));
}

module.exports = { routeApi, serveDist };
