// What the benchmarked portal holds and how it is configured: a catalog file of N governed
// services (the runbook annotation the console governs by, all pointing at one shared runbook
// beside the file), a small organisation of bench groups and users, and the config overlay
// (app-config.bench.yaml) loaded after app-config.yaml. Everything is written to a temp dir.
import { RUNBOOK_ANNOTATION } from '@helix-portal/plugin-rco-common';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const OWNER_GROUPS = 4;
export const CI_SUBJECT = 'ci-bench';
/** People the demo-users provider signs in (NODE_ENV=development): the sign-off roles. */
export const PEOPLE = {
  security: 'bench-security',
  dpo: 'bench-dpo',
  po: 'bench-po',
  breakGlass: 'bench-breakglass',
};

export const serviceName = (i: number) =>
  `bench-svc-${String(i).padStart(5, '0')}`;
export const serviceRef = (i: number) => `component:default/${serviceName(i)}`;

export interface BenchSetup {
  dir: string;
  configFile: string;
  ciToken: string;
  ledgerKey: string;
  services: number;
}

const repo = path.resolve(__dirname, '../..');

function organisation() {
  const group = (name: string, type = 'team') => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name },
    spec: { type, children: [] },
  });
  const user = (name: string, memberOf: string) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name },
    spec: { profile: { displayName: name }, memberOf: [memberOf] },
  });
  return [
    ...Array.from({ length: OWNER_GROUPS }, (_, g) => group(`bench-team-${g}`)),
    ...['bench-security', 'bench-dpo', 'bench-po', 'bench-break-glass'].map(
      name => group(name, 'role'),
    ),
    // The guest (the portal's viewer and the deploys' requester) owns the first team's services.
    user('guest', 'bench-team-0'),
    user(PEOPLE.security, 'bench-security'),
    user(PEOPLE.dpo, 'bench-dpo'),
    user(PEOPLE.po, 'bench-po'),
    user(PEOPLE.breakGlass, 'bench-break-glass'),
  ];
}

function service(i: number) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: serviceName(i),
      title: `Bench service ${i}`,
      annotations: { [RUNBOOK_ANNOTATION]: './runbook/bench-runbook.yaml' },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: `group:default/bench-team-${i % OWNER_GROUPS}`,
    },
  };
}

const yamlDocs = (docs: object[]) =>
  docs.map(d => YAML.stringify(d)).join('---\n');

/** Writes the catalog, the runbook and app-config.bench.yaml under `dir`. */
export function writeSetup(options: {
  dir: string;
  services: number;
  databaseConnection: string;
}): BenchSetup {
  const { dir, services } = options;
  const catalogDir = path.join(dir, 'catalog');
  fs.mkdirSync(path.join(catalogDir, 'runbook'), { recursive: true });
  fs.copyFileSync(
    path.join(repo, 'examples/rco/runbook/rco-runbook.yaml'),
    path.join(catalogDir, 'runbook/bench-runbook.yaml'),
  );
  fs.writeFileSync(path.join(catalogDir, 'org.yaml'), yamlDocs(organisation()));
  fs.writeFileSync(
    path.join(catalogDir, 'services.yaml'),
    yamlDocs(Array.from({ length: services }, (_, i) => service(i))),
  );
  const ciToken = `bench-ci-${randomBytes(12).toString('hex')}`;
  const ledgerKey = `bench-ledger-${randomBytes(12).toString('hex')}`;
  const config = {
    backend: {
      baseUrl: 'http://localhost:7101',
      listen: { port: 7101 },
      database: { client: 'pg', connection: options.databaseConnection },
      auth: {
        externalAccess: [
          {
            type: 'static',
            options: { token: ciToken, subject: CI_SUBJECT },
            accessRestrictions: [{ plugin: 'rco' }],
          },
        ],
      },
    },
    auth: {
      providers: {
        guest: { userEntityRef: 'user:default/guest' },
        demoUsers: { users: Object.values(PEOPLE) },
      },
    },
    catalog: {
      // New entities are processed at once; a short interval re-reads the files soon after
      // start, and stays short enough not to keep 2 cores busy re-processing every entity.
      processingInterval: { minutes: 2 },
      locations: [
        {
          type: 'file',
          target: path.join(catalogDir, 'org.yaml'),
          rules: [{ allow: ['User', 'Group'] }],
        },
        { type: 'file', target: path.join(catalogDir, 'services.yaml') },
      ],
    },
    rco: {
      ci: {
        subjects: [
          {
            subject: CI_SUBJECT,
            entities: Array.from({ length: services }, (_, i) => serviceRef(i)),
          },
        ],
      },
      // The simulated driver, no cluster: no collection, no helm. No imageRepository: the shared
      // samples name images of their own, which the backend would refuse for another repository.
      environments: [
        {
          name: 'staging',
          driver: 'simulated',
          namespace: 'bench',
          timeout: 'PT10M',
        },
      ],
      // One environment: the demo's road (staging → production, its production freeze) does
      // not apply; deploys here measure the control plane, not the road's waiting.
      promotion: { order: [] },
      freezes: [],
      signoffs: {
        groups: {
          po: 'group:default/bench-po',
          dpo: 'group:default/bench-dpo',
          security: 'group:default/bench-security',
        },
      },
      waivers: { group: 'group:default/bench-security' },
      breakGlass: { group: 'group:default/bench-break-glass' },
      // As operations.bench.ts (ADR 0006): short canary steps and polls.
      simulated: { stepDelay: 'PT0.2S' },
      operations: { pollInterval: 'PT0.1S', leaseDuration: 'PT30S' },
      ledger: { checkpointKey: ledgerKey },
    },
  };
  const configFile = path.join(dir, 'app-config.bench.yaml');
  fs.writeFileSync(configFile, YAML.stringify(config));
  return { dir, configFile, ciToken, ledgerKey, services };
}

/** The same overlay for a second instance on another port. */
export function secondInstanceConfig(setup: BenchSetup, port: number) {
  const file = path.join(setup.dir, `app-config.bench-${port}.yaml`);
  fs.writeFileSync(
    file,
    YAML.stringify({
      backend: {
        baseUrl: `http://localhost:${port}`,
        listen: { port },
      },
    }),
  );
  return file;
}
