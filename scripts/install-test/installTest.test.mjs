// Unit tests of the install test's own machinery (node --test): a guide that no longer matches
// the template, or a duplicate copy of a shared package, must fail rather than pass silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readGuide } from './guide.mjs';
import { applyStep, checkPort, localCommand } from './apply.mjs';
import { notShared, singleCopies } from './singleCopies.mjs';

const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'install-test-unit-'));
const guide = body =>
  `intro\n<!-- install-guide:start -->\n${body}\n<!-- install-guide:end -->\n`;

test('the README guide parses and uses only known directives', () => {
  const steps = readGuide(
    fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'),
  );
  assert.ok(steps.length >= 8);
  for (const step of steps) {
    assert.ok(
      ['run', 'edit', 'write', 'copy', 'merge-yaml'].includes(step.action),
      step.action,
    );
    if (step.action === 'copy')
      assert.ok(
        fs.existsSync(path.join(ROOT, step.attrs.from)),
        step.attrs.from,
      );
    // CI runs the guide at port 7017 beside the end-to-end portal: every block can move there.
    checkPort(step, 7017, ROOT);
    if (step.action === 'run')
      for (const line of step.body.split('\n'))
        localCommand(line, { tarballs: {}, port: 7017 });
  }
  // Both frontend systems and the backend are covered.
  assert.ok(steps.some(s => s.attrs.variant === 'legacy'));
  assert.ok(
    steps.some(s =>
      s.body.includes(
        "backend.add(import('@helix-portal/plugin-rco-backend'))",
      ),
    ),
  );
});

test('a directive without a code block, or a README without the markers, is an error', () => {
  assert.throws(() => readGuide('no guide here'), /no install guide/);
  assert.throws(
    () => readGuide(guide('<!-- install-test: run -->\nprose, no block\n')),
    /not followed by a code block/,
  );
});

test('edit inserts before the anchor that follows `after`, keeping the line', () => {
  const app = tmp();
  fs.writeFileSync(
    path.join(app, 'a.tsx'),
    'const a = (\n  <X>\n  </X>\n);\nconst b = (\n  <X>\n  </X>\n);\n',
  );
  const [step] = readGuide(
    guide(
      '<!-- install-test: edit file=a.tsx after="const b = (" before="</X>" -->\n```tsx\n    <New />\n```',
    ),
  );
  applyStep(step, { app, root: ROOT, run: () => {} });
  assert.equal(
    fs.readFileSync(path.join(app, 'a.tsx'), 'utf8'),
    'const a = (\n  <X>\n  </X>\n);\nconst b = (\n  <X>\n    <New />\n  </X>\n);\n',
  );
});

test('a missing anchor or a remove that matches nothing fails', () => {
  const app = tmp();
  fs.writeFileSync(path.join(app, 'index.ts'), 'backend.start();\n');
  const [missing] = readGuide(
    guide(
      '<!-- install-test: edit file=index.ts before="app.start();" -->\n```ts\nx();\n```',
    ),
  );
  assert.throws(
    () => applyStep(missing, { app, root: ROOT, run: () => {} }),
    /not found/,
  );
  const [remove] = readGuide(
    guide(
      '<!-- install-test: edit file=index.ts remove="allow-all" before="backend.start();" -->\n```ts\nx();\n```',
    ),
  );
  assert.throws(
    () => applyStep(remove, { app, root: ROOT, run: () => {} }),
    /nothing matches/,
  );
});

test('run hands each command line to the runner, without comments', () => {
  const seen = [];
  const [step] = readGuide(
    guide(
      '<!-- install-test: run -->\n```sh\n# a comment\nyarn add x   # why\n\nyarn add y\n```',
    ),
  );
  applyStep(step, { app: tmp(), root: ROOT, run: c => seen.push(c) });
  assert.deepEqual(seen, ['yarn add x', 'yarn add y']);
});

test("a guide command runs with the packed tarballs and at the port of the test's app", () => {
  const tarballs = {
    '@helix-portal/plugin-rco': '/w/packs/helix-portal-plugin-rco-0.1.0.tgz',
  };
  assert.equal(
    localCommand('yarn --cwd packages/app add @helix-portal/plugin-rco', {
      tarballs,
      port: 7017,
    }),
    'yarn --cwd packages/app add @helix-portal/plugin-rco@file:/w/packs/helix-portal-plugin-rco-0.1.0.tgz',
  );
  // A package the test did not pack is left for the registry (and fails there, visibly).
  assert.equal(
    localCommand('yarn add @helix-portal/plugin-other', {
      tarballs,
      port: 7017,
    }),
    'yarn add @helix-portal/plugin-other',
  );
  // The README's backend address, and only it, moves to the app's port.
  assert.equal(
    localCommand('curl "http://localhost:7007/api/rco/x"', {
      tarballs,
      port: 7017,
    }),
    'curl "http://localhost:7017/api/rco/x"',
  );
});

test('a guide block that names port 7007 otherwise fails when the app is on another port', () => {
  // Run in CI beside the end-to-end portal, which holds 7007: such a command would test it.
  assert.throws(
    () =>
      localCommand('curl http://127.0.0.1:7007/api/rco/x', {
        tarballs: {},
        port: 7017,
      }),
    /names 127.0.0.1:7007, not the install test's app/,
  );
  // At the README's own port nothing moves, so nothing is refused.
  assert.equal(
    localCommand('curl http://127.0.0.1:7007/x', { tarballs: {}, port: 7007 }),
    'curl http://127.0.0.1:7007/x',
  );
  const block = action => ({
    action,
    line: 12,
    attrs: {},
    body: 'backend:\n  baseUrl: http://localhost:7007\n',
  });
  assert.throws(
    () => checkPort(block('merge-yaml'), 7017),
    /README.md:12: the block names localhost:7007/,
  );
  assert.doesNotThrow(() => checkPort(block('merge-yaml'), 7007));
  // A command is checked, after its substitutions, by localCommand.
  assert.doesNotThrow(() => checkPort(block('run'), 7017));
  // The end-to-end portal's frontend (3000) is as wrong as its backend.
  assert.throws(
    () =>
      localCommand('curl http://localhost:3000/api/catalog/entities', {
        tarballs: {},
        port: 7017,
      }),
    /names localhost:3000/,
  );
  // Any spelling of this machine, and the README's port in any form, not only the examples.
  for (const command of [
    'curl http://127.1:3000/x',
    'curl http://LOCALHOST:3000/x',
    'curl http://localhost.:3000/x',
    'curl http://app.localhost:3000/x',
    'curl http://127.0.0.2:3000/x',
    'curl http://0x7f000001:3000/x',
    'curl http://2130706433:3000/x',
    'curl http://[::ffff:127.0.0.1]:3000/x',
    'curl http://[0:0:0:0:0:0:0:1]:3000/x',
    'P=7007; curl localhost:$P/x',
    'nc localhost 7007',
  ])
    assert.throws(
      () => localCommand(command, { tarballs: {}, port: 7017 }),
      /not the install test's app at localhost:7017/,
      command,
    );
  assert.throws(
    () =>
      checkPort(
        {
          ...block('merge-yaml'),
          body: 'backend:\n  listen:\n    port: 7007\n',
        },
        7017,
      ),
    /names port 7007/,
  );
  // Another host that ends like one is not this machine; the app's own port passes.
  assert.doesNotThrow(() =>
    localCommand('curl http://mylocalhost:3000/x http://127.0.0.1:7017/y', {
      tarballs: {},
      port: 7017,
    }),
  );
  // A copied file the guide could then run is read too.
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'push.sh'), 'curl http://localhost:7007/x\n');
  const copy = {
    action: 'copy',
    line: 3,
    attrs: { from: 'push.sh' },
    body: '',
  };
  assert.throws(
    () => checkPort(copy, 7017, dir),
    /README.md:3: push.sh names localhost:7007/,
  );
  assert.doesNotThrow(() => checkPort(copy, 7007, dir));
});

test('merge-yaml appends to lists and merges maps', () => {
  const app = tmp();
  fs.writeFileSync(
    path.join(app, 'c.yaml'),
    'catalog:\n  locations:\n    - { type: file, target: a }\nbackend: { baseUrl: x }\n',
  );
  const [step] = readGuide(
    guide(
      '<!-- install-test: merge-yaml file=c.yaml -->\n```yaml\ncatalog:\n  locations:\n    - { type: file, target: b }\nrco: { demo: true }\n```',
    ),
  );
  applyStep(step, { app, root: ROOT, run: () => {} });
  const text = fs.readFileSync(path.join(app, 'c.yaml'), 'utf8');
  assert.match(text, /target: a[\s\S]*target: b/);
  assert.match(text, /baseUrl: x/);
  assert.match(text, /demo: true/);
});

test('singleCopies finds a second version nested under a package or a workspace', () => {
  const app = tmp();
  const pkg = (dir, name, version) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name, version }),
    );
  };
  pkg(path.join(app, 'node_modules/react'), 'react', '18.3.1');
  pkg(
    path.join(app, 'node_modules/@backstage/core-plugin-api'),
    '@backstage/core-plugin-api',
    '1.13.0',
  );
  assert.deepEqual(singleCopies(app), []);
  pkg(
    path.join(app, 'node_modules/@x/y/node_modules/react'),
    'react',
    '17.0.2',
  );
  pkg(
    path.join(app, 'packages/app/node_modules/@backstage/core-plugin-api'),
    '@backstage/core-plugin-api',
    '1.12.0',
  );
  const problems = singleCopies(app);
  assert.equal(problems.length, 2);
  const react = problems.find(p => p.startsWith('react:'));
  assert.match(react, /18\.3\.1/);
  assert.match(react, /17\.0\.2 \(node_modules\/@x\/y\/node_modules\/react/);
  const core = problems.find(p => p.startsWith('@backstage/core-plugin-api:'));
  assert.match(core, /1\.12\.0 \(packages\/app\/node_modules/);
});

test('notShared fails a plugin that resolves its own copy, not a template duplicate it does not use', () => {
  const app = tmp();
  const pkg = (dir, json) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(json));
  };
  pkg(path.join(app, 'packages/app'), { name: 'app' });
  pkg(path.join(app, 'node_modules/react'), {
    name: 'react',
    version: '18.3.1',
  });
  pkg(path.join(app, 'node_modules/@backstage/frontend-plugin-api'), {
    name: '@backstage/frontend-plugin-api',
    version: '1.0.0',
  });
  // The template's own duplicate, under another package: noted, not ours.
  pkg(
    path.join(
      app,
      'node_modules/@backstage/app-defaults/node_modules/@backstage/frontend-plugin-api',
    ),
    { name: '@backstage/frontend-plugin-api', version: '0.18.1' },
  );
  const plugin = path.join(app, 'node_modules/@helix-portal/plugin-rco');
  pkg(plugin, {
    name: '@helix-portal/plugin-rco',
    backstage: { role: 'frontend-plugin' },
  });
  assert.deepEqual(notShared(app), []);
  assert.equal(singleCopies(app).length, 1);
  pkg(path.join(plugin, 'node_modules/react'), {
    name: 'react',
    version: '17.0.2',
  });
  const problems = notShared(app);
  assert.equal(problems.length, 1);
  assert.match(
    problems[0],
    /@helix-portal\/plugin-rco uses react from node_modules\/@helix-portal\/plugin-rco\/node_modules\/react/,
  );
});

test('a near-miss directive, an unknown attribute or value fails instead of being skipped', () => {
  const block = '\n```ts\nx();\n```';
  for (const [directive, message] of [
    [' <!-- install-test: run -->', /not an install-test directive/],
    ['<!--install-test: run -->', /not an install-test directive/],
    [
      '<!-- install-test: edit file=a.ts prepend varient=legacy -->',
      /takes no attribute "varient"/,
    ],
    [
      '<!-- install-test: edit file=a.ts prepend variant=legasy -->',
      /variant must be new or legacy/,
    ],
    ['<!-- install-test: runn -->', /unknown install-test directive/],
    ['<!-- install-test: edit file=a.ts -->', /needs before=/],
    ['<!-- install-test: write -->', /needs file=/],
  ]) {
    assert.throws(
      () => readGuide(guide(directive + block)),
      message,
      directive,
    );
  }
});
