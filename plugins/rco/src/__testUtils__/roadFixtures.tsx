import { ResponseError } from '@backstage/errors';
import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  DeployWindowView,
  RoadResponse,
  RoadStage,
} from '@helix-portal/plugin-rco-common';
import { ReactElement } from 'react';
import { RcoApi, rcoApiRef } from '../api/RcoApi';
import { presentation } from './operationsFixtures';

/** The road to production of issue 15: staging → production, RCO 1.3.2. */
export const DIGEST = `sha256:${'3f'.repeat(32)}`;
export const RELEASE = { version: '1.3.2', digest: DIGEST };
export const OLD = { version: '1.3.1', digest: `sha256:${'aa'.repeat(32)}` };
export const ENTITY = { kind: 'Component', namespace: 'default', name: 'rco' };
export const inHours = (h: number) =>
  new Date(Date.now() + h * 3_600_000).toISOString();
export const hoursAgo = (h: number) => inHours(-h);

export function stage(o: Partial<RoadStage> = {}): RoadStage {
  return {
    environment: 'staging',
    position: 0,
    state: 'empty',
    soakRequired: 'PT24H',
    analysis: 'none',
    blockers: [],
    freezes: [],
    ...o,
  };
}

/** 1.3.2 soaking in staging for 5 of 24 hours; production waits for the soak and a window. */
export function road(o: Partial<RoadResponse> = {}): RoadResponse {
  return {
    entityRef: 'component:default/rco',
    release: RELEASE,
    stages: [
      stage({
        environment: 'production',
        position: 1,
        release: OLD,
        deployedAt: hoursAgo(72),
        state: 'soaked',
        soakedFor: 'PT72H',
        analysis: 'green',
        blockers: [
          {
            kind: 'soak',
            message: 'v1.3.2 has soaked in staging for 5 hours of 24 hours',
            until: inHours(19),
          },
          {
            kind: 'window',
            message: 'No accepted deployment window is open in production',
            until: inHours(30),
          },
        ],
      }),
      stage({
        environment: 'staging',
        position: 0,
        release: RELEASE,
        deployedAt: hoursAgo(5),
        state: 'soaking',
        soakedFor: 'PT5H',
        soakEndsAt: inHours(19),
        analysis: 'green',
      }),
    ],
    marked: [],
    ...o,
  };
}

export function window(o: Partial<DeployWindowView> = {}): DeployWindowView {
  return {
    id: 'w1',
    entityRef: 'component:default/rco',
    environment: 'production',
    release: RELEASE,
    start: '2026-12-14T21:00:00.000Z',
    end: '2026-12-15T01:00:00.000Z',
    timeZone: 'Europe/Berlin',
    proposedBy: 'user:default/alice',
    proposedAt: hoursAgo(1),
    requiredRoles: ['po', 'security'],
    acceptances: [],
    state: 'proposed',
    openNow: false,
    ...o,
  };
}

/** A refusal as the client throws it: a ResponseError with the backend's sentence. */
export async function refused(status: number, message: string) {
  const name = status === 403 ? 'NotAllowedError' : 'ConflictError';
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ) as any,
  );
}

export function api(overrides: Partial<RcoApi> = {}): jest.Mocked<RcoApi> {
  return { ...overrides } as unknown as jest.Mocked<RcoApi>;
}

export function renderWith(el: ReactElement, rco: RcoApi = api()) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, rco],
        [entityPresentationApiRef, presentation],
      ]}
    >
      {el}
    </TestApiProvider>,
  );
}

/** Saves made through saveBlob: the file name and the blob's text. */
export function captureSaves() {
  const saved: Array<{ name: string; blob: Blob }> = [];
  const blobs = new Map<string, Blob>();
  let n = 0;
  Object.assign(URL, {
    createObjectURL: jest.fn((b: Blob) => {
      const url = `blob:${++n}`;
      blobs.set(url, b);
      return url;
    }),
    revokeObjectURL: jest.fn(),
  });
  jest
    .spyOn(HTMLAnchorElement.prototype, 'click')
    .mockImplementation(function save(this: HTMLAnchorElement) {
      saved.push({ name: this.download, blob: blobs.get(this.href)! });
    });
  return saved;
}
