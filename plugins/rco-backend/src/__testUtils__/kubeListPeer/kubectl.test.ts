/**
 * The peer is a faithful Kubernetes API server for reads: Debian's real `kubectl`
 * (kubernetes-client) lists the sample objects through it, pages with --chunk-size, resolves
 * Gatekeeper's `constraints` category and prints the API server's own 403 message. Under CI the
 * test fails when kubectl is missing (.ci/run installs it).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubeListPeer } from './KubeListPeer';
import { fromSample, many } from './objects';

const run = promisify(execFile);
const TOKEN = 'kubectl-peer-token-5d1e';
const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const present = fs.existsSync(KUBECTL);

if (!present && process.env.CI) {
  throw new Error(
    `${KUBECTL} is missing: install Debian's kubernetes-client (.ci/run does)`,
  );
}
const describeKubectl = present ? describe : describe.skip;

describeKubectl('real kubectl against the Kubernetes API peer', () => {
  let peer: KubeListPeer;
  let dir: string;

  beforeAll(async () => {
    const app = { 'app.kubernetes.io/name': 'rco' };
    peer = await KubeListPeer.start({
      token: TOKEN,
      tls: true,
      objects: [
        ...many('policyReport', 3, {
          prefix: 'rco-pods',
          namespace: 'rco',
          app: 'rco',
        }),
        fromSample('policyReport', {
          name: 'kube-pods',
          namespace: 'kube-system',
        }),
        ...many('veleroBackup', 5, {
          prefix: 'rco-daily',
          namespace: 'velero',
          app: 'rco',
        }),
        fromSample('networkPolicy', {
          name: 'rco-default-deny',
          namespace: 'rco',
          labels: app,
        }),
        fromSample('networkPolicy', {
          name: 'alertmanager-main',
          namespace: 'monitoring',
        }),
        fromSample('deployment', {
          name: 'rco',
          namespace: 'rco',
          labels: app,
        }),
        fromSample('deployment', {
          name: 'rco-worker',
          namespace: 'rco',
          labels: { 'app.kubernetes.io/name': 'rco-worker' },
        }),
        fromSample('gatekeeper', { name: 'ns-must-have-gk', labels: app }),
      ],
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-kubectl-'));
    fs.writeFileSync(
      path.join(dir, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: peer`,
        '  cluster:',
        `    server: "${peer.url}"`,
        `    certificate-authority-data: ${Buffer.from(peer.cert!).toString(
          'base64',
        )}`,
        'users:',
        `- name: rco`,
        `  user: { token: "${TOKEN}" }`,
        'contexts:',
        '- name: peer',
        '  context: { cluster: peer, user: rco }',
        'current-context: peer',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
  });

  afterAll(async () => {
    await peer?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = async (...args: string[]) => {
    const { stdout } = await run(
      KUBECTL,
      [
        '--kubeconfig',
        path.join(dir, 'kubeconfig'),
        '--cache-dir',
        path.join(dir, 'cache'),
        ...args,
      ],
      { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 30_000 },
    );
    return JSON.parse(stdout);
  };
  const names = (list: any) =>
    list.items
      .map((i: any) => `${i.metadata.namespace ?? ''}/${i.metadata.name}`)
      .sort();

  it('kubectl get policyreports -A -o json lists every PolicyReport', async () => {
    const list = await kubectl('get', 'policyreports', '-A', '-o', 'json');
    expect(names(list)).toEqual([
      'kube-system/kube-pods',
      'rco/rco-pods-0',
      'rco/rco-pods-1',
      'rco/rco-pods-2',
    ]);
    expect(list.items[0]).toMatchObject({
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
    });
  });

  it('kubectl get backups.velero.io -n velero -o json', async () => {
    const list = await kubectl(
      'get',
      'backups.velero.io',
      '-n',
      'velero',
      '-o',
      'json',
    );
    expect(list.items).toHaveLength(5);
    expect(list.items[0].status.phase).toBe('Completed');
  });

  it('kubectl get networkpolicies -A -o json', async () => {
    const list = await kubectl('get', 'networkpolicies', '-A', '-o', 'json');
    expect(names(list)).toEqual([
      'monitoring/alertmanager-main',
      'rco/rco-default-deny',
    ]);
    // Built-in lists carry no kind per item; kubectl fills it in, as against a real cluster.
    expect(list.items[0].kind).toBe('NetworkPolicy');
  });

  it('kubectl get deployments -n rco -l app.kubernetes.io/name=rco -o json applies the label selector', async () => {
    const list = await kubectl(
      'get',
      'deployments',
      '-n',
      'rco',
      '-l',
      'app.kubernetes.io/name=rco',
      '-o',
      'json',
    );
    expect(names(list)).toEqual(['rco/rco']);
    const notin = await kubectl(
      'get',
      'deployments',
      '-n',
      'rco',
      '-l',
      'app.kubernetes.io/name notin (rco)',
      '-o',
      'json',
    );
    expect(names(notin)).toEqual(['rco/rco-worker']);
  });

  it('kubectl get constraints resolves the Gatekeeper category through discovery', async () => {
    const list = await kubectl('get', 'constraints', '-o', 'json');
    expect(names(list)).toEqual(['/ns-must-have-gk']);
    expect(list.items[0].kind).toBe('K8sRequiredLabels');
    const one = await kubectl(
      'get',
      'k8srequiredlabels',
      'ns-must-have-gk',
      '-o',
      'json',
    );
    expect(one.status.violations.length).toBeGreaterThan(0);
  });

  it('kubectl get --chunk-size=2 pages with continue and returns every item', async () => {
    peer.requests.length = 0;
    const list = await kubectl(
      'get',
      'backups.velero.io',
      '-n',
      'velero',
      '--chunk-size=2',
      '-o',
      'json',
    );
    expect(list.items).toHaveLength(5);
    const lists = peer.lists('backups');
    expect(lists.map(r => r.query.limit)).toEqual(['2', '2', '2']);
    expect(lists.filter(r => r.query.continue)).toHaveLength(2);
  });

  it("kubectl prints the API server's 403 for a forbidden kind", async () => {
    peer.forbidden.add('policyreports');
    try {
      await expect(
        kubectl('get', 'policyreports', '-n', 'rco', '-o', 'json'),
      ).rejects.toMatchObject({
        stderr: expect.stringContaining(
          'Error from server (Forbidden): policyreports.wgpolicyk8s.io is forbidden: User "system:serviceaccount:rco:rco-backend" cannot list resource "policyreports" in API group "wgpolicyk8s.io" in the namespace "rco"',
        ),
      });
    } finally {
      peer.forbidden.delete('policyreports');
    }
  });

  it('kubectl with a wrong token is refused (401)', async () => {
    const config = path.join(dir, 'kubeconfig');
    const good = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, good.replace(TOKEN, 'not-the-token'));
    try {
      await expect(
        kubectl('get', 'deployments', '-n', 'rco', '-o', 'json'),
      ).rejects.toMatchObject({
        stderr: expect.stringContaining('Unauthorized'),
      });
    } finally {
      fs.writeFileSync(config, good);
    }
  });
});
