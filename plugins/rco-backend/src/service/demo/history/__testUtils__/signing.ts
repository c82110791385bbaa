/* eslint-disable @backstage/no-undeclared-imports */
import {
  fulcioHandler,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  rekorHandler,
} from '@sigstore/mock';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness } from '@sigstore/sign';
import { bundleToJSON } from '@sigstore/bundle';
import crypto from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  token,
  trustedRootOf,
} from '../../../../evidence/sigstore/__fixtures__/mockSigstore';

/** Who signs the test history's images: a release workflow per service. */
export const GITHUB = 'https://token.actions.githubusercontent.com';
export const workflow = (service: string) =>
  `https://github.com/helix/${service}/.github/workflows/release.yml@refs/heads/main`;

const keyPair = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

/**
 * A throwaway Sigstore (Fulcio CA, CT log, Rekor) on a loopback port, as generate.js builds for
 * the fixtures: signs images the way `cosign sign` does, and gives the trusted root that verifies
 * them. Test-only: the local portal trusts only examples/rco/sigstore's root.
 */
export async function testSigstore() {
  const start = new Date(Date.now() - 60_000);
  const ctKeys = keyPair();
  const ctLog = await initializeCTLog(ctKeys as any);
  const ca = await initializeCA(keyPair() as any, ctLog);
  const tlogKeys = keyPair();
  const handlers: Record<string, any> = {};
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', async () => {
      const handler = handlers[req.url ?? ''];
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      const r = await handler.fn(body);
      res
        .writeHead(r.statusCode, {
          'Content-Type': r.contentType || 'application/json',
        })
        .end(r.response);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tlog = await initializeTLog(base, tlogKeys as any);
  const fulcio = fulcioHandler(ca);
  const rekor = rekorHandler(tlog);
  handlers[fulcio.path] = fulcio;
  handlers[rekor.path] = rekor;
  const trustedRoot = trustedRootOf({
    start,
    rekorUrl: base,
    fulcioUrl: base,
    tlog,
    ca,
    ctLog,
  });
  /** A `cosign sign` bundle of `digest`, signed by `service`'s release workflow. */
  const sign = async (service: string, image: string, digest: string) => {
    const statement = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [
          { name: image, digest: { sha256: digest.slice('sha256:'.length) } },
        ],
        predicateType: 'https://sigstore.dev/cosign/sign/v1',
        predicate: {},
      }),
    );
    const bundle = await new DSSEBundleBuilder({
      signer: new FulcioSigner({
        fulcioBaseURL: base,
        identityProvider: {
          getToken: async () => token(GITHUB, workflow(service)),
        },
      }),
      witnesses: [
        new RekorWitness({ rekorBaseURL: base, entryType: 'intoto' }),
      ],
    }).create({ data: statement, type: 'application/vnd.in-toto+json' });
    return JSON.stringify(bundleToJSON(bundle));
  };
  return {
    trustedRoot,
    sign,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}
