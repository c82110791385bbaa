import { screen, waitFor, within } from '@testing-library/react';
import {
  caps,
  mockApi,
  production,
  renderPanel,
  status,
} from '../../__testUtils__/operationsFixtures';
import {
  OLD,
  RELEASE,
  hoursAgo,
  inHours,
  renderWith,
  road,
  stage,
} from '../../__testUtils__/roadFixtures';
import { blockerSentence, roadDeployBlockers, roadStageFor } from './format';
import { RoadView } from './RoadView';

jest.setTimeout(30_000);
const slow = { timeout: 15_000 };

describe('road rules on the page', () => {
  const until = '2026-12-14T21:00:00Z';
  it.each([
    // [blocker, overridden, listed]
    [{ kind: 'window' as const, message: 'No window', until }, false, true],
    [{ kind: 'window' as const, message: 'No window', until }, true, false],
    [{ kind: 'freeze' as const, message: 'Frozen', until }, true, false],
    [{ kind: 'soak' as const, message: 'Soaking' }, true, false],
    [{ kind: 'promotion' as const, message: 'Not in staging' }, true, false],
    // As the backend's preflight: an override lifts every road blocker.
    [{ kind: 'marked' as const, message: 'Rolled back' }, true, false],
    [{ kind: 'analysis' as const, message: 'Analysis failed' }, true, false],
    [{ kind: 'marked' as const, message: 'Rolled back' }, false, true],
    // The backend says an override lifted it.
    [
      { kind: 'freeze' as const, message: 'Frozen', overriddenBy: 'ov-1' },
      false,
      false,
    ],
  ])(
    '%o with an override on screen: %s → listed %s',
    (b, overridden, listed) => {
      expect(
        roadDeployBlockers(stage({ blockers: [b] }), overridden),
      ).toHaveLength(listed ? 1 : 0);
    },
  );

  it('adds when a blocker lifts, in words that lead into the instant, once', () => {
    expect(
      blockerSentence({ kind: 'window', message: 'No window', until }),
    ).toBe(`No window. The window opens at ${until}.`);
    expect(blockerSentence({ kind: 'freeze', message: 'Frozen.', until })).toBe(
      `Frozen. The freeze ends at ${until}.`,
    );
    expect(
      blockerSentence({
        kind: 'freeze',
        message: `Frozen until ${until}`,
        until,
      }),
    ).toBe(`Frozen until ${until}`);
  });

  it('uses a road read for another release for nothing', () => {
    expect(roadStageFor(road(), 'production', RELEASE)?.environment).toBe(
      'production',
    );
    expect(roadStageFor(road(), 'production', OLD)).toBeUndefined();
    expect(roadStageFor(undefined, 'production', RELEASE)).toBeUndefined();
  });
});

describe('RoadView', () => {
  it('shows the environments in promotion order with soak, analysis and blockers in local time', async () => {
    const shown = road();
    await renderWith(<RoadView road={shown} />);
    const pipeline = screen.getByRole('list', {
      name: 'Environments in promotion order',
    });
    const cards = within(pipeline).getAllByRole('region');
    expect(
      cards.map(c => within(c).getByRole('heading', { level: 3 }).textContent),
    ).toEqual(['staging', 'production']);
    const [staging, prod] = cards;
    // State and analysis in words, not colour alone.
    expect(staging).toHaveTextContent('Soaking');
    expect(staging).toHaveTextContent('Canary analysis green');
    expect(staging).toHaveTextContent(
      /Runs v1\.3\.2 \(sha256:3f3f3f3f3f3f…\) \(this release\)/,
    );
    expect(staging).toHaveTextContent(
      /Soak: 5 hours of 24 hours required; ends .* \(in 1[89] hours\)/,
    );
    expect(staging).toHaveTextContent('Nothing blocks v1.3.2');
    expect(prod).toHaveTextContent('Runs v1.3.1');
    const blockers = within(prod).getByRole('list', {
      name: 'What blocks the release in production',
    });
    const items = within(blockers).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent(
      /has soaked in staging for 5 hours of 24 hours The soak ends at .* \(in 1[89] hours\)\./,
    );
    expect(items[1]).toHaveTextContent(
      /No accepted deployment window is open in production The window opens at .* \(in 1 day\)\./,
    );
    // The instant for machines, the local time for people.
    expect(items[1].querySelector('time')).toHaveAttribute(
      'dateTime',
      shown.stages[0].blockers[1].until,
    );
  });

  it('marks a release that was rolled back downstream so nobody promotes it again', async () => {
    await renderWith(
      <RoadView
        road={road({
          marked: [
            {
              ...RELEASE,
              environment: 'production',
              reason: 'rolled-back',
              operationId: 'op-9',
              at: hoursAgo(2),
            },
            {
              ...OLD,
              environment: 'staging',
              reason: 'analysis-failed',
              operationId: 'op-3',
              at: hoursAgo(50),
            },
          ],
        })}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(
      /Do not promote v1\.3\.2 \(sha256:3f3f3f3f3f3f…\): it is marked.*it was rolled back in production 2 hours ago/,
    );
    expect(
      screen.getByText(/Marked releases: failed or rolled back/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/its canary analysis failed in staging/),
    ).toBeInTheDocument();
    // The stage that runs a marked release says so in words.
    const staging = screen.getByRole('region', { name: 'staging' });
    expect(staging).toHaveTextContent('Marked: do not promote this release.');
  });

  it("reads the backend's sentences in words: its instants local and relative, its durations spelt out", async () => {
    const until = inHours(19);
    await renderWith(
      <RoadView
        road={road({
          stages: [
            stage({
              environment: 'production',
              blockers: [
                {
                  kind: 'soak',
                  message: `v1.3.2 has soaked in staging for 5 hours of PT24H: it may go on at ${until}`,
                  until,
                },
              ],
            }),
          ],
        })}
      />,
    );
    const item = within(
      screen.getByRole('list', {
        name: 'What blocks the release in production',
      }),
    ).getByRole('listitem');
    expect(item).toHaveTextContent(
      /^v1\.3\.2 has soaked in staging for 5 hours of 24 hours: it may go on at .* \(in 1[89] hours\)$/,
    );
    // The instant is in the sentence already: not said twice.
    expect(item).not.toHaveTextContent('The soak ends at');
    expect(item.querySelector('time')).toHaveAttribute('dateTime', until);
  });

  it('says when the road cannot be read, with a retry', async () => {
    const retry = jest.fn();
    await renderWith(
      <RoadView error={new Error('backend down')} onRetry={retry} />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      'The road to production could not be read: backend down',
    );
    screen.getByRole('button', { name: 'Try again' }).click();
    expect(retry).toHaveBeenCalled();
  });
});

describe('Deploy on the road', () => {
  it('is disabled while the road blocks it, saying why and when the window opens', async () => {
    const opens = inHours(30);
    await renderPanel(mockApi(), [status()], {
      road: road({
        stages: [
          stage({
            environment: 'production',
            position: 1,
            blockers: [
              {
                kind: 'window',
                message: 'No accepted deployment window is open in production',
                until: opens,
              },
              {
                kind: 'freeze',
                message: 'The weekend-freeze freeze holds production',
                until: inHours(50),
              },
            ],
          }),
        ],
      }),
      capabilities: { ...caps() },
    });
    const deploy = await screen.findByRole('button', { name: 'Deploy' }, slow);
    expect(deploy).toBeDisabled();
    const why = screen.getByRole('list', { name: 'Why Deploy is disabled' });
    expect(why).toHaveTextContent(
      /No accepted deployment window is open in production\. The window opens at .* \(in 1 day\)\./,
    );
    expect(why).toHaveTextContent(
      /The weekend-freeze freeze holds production\. The freeze ends at .* \(in 2 days\)\./,
    );
    expect(
      within(why)
        .getByText(/No accepted deployment window/)
        .closest('li')
        ?.querySelector('time'),
    ).toHaveAttribute('dateTime', opens);
  });

  it('is enabled when the road for that environment has no blockers; a road of another release counts for nothing', async () => {
    await renderPanel(
      mockApi({
        listEnvironments: jest.fn(async () => [
          production({ requiredSignoffs: [] }),
        ]),
      }),
      [status()],
      {
        road: road({
          release: OLD,
          stages: [
            stage({
              environment: 'production',
              blockers: [
                { kind: 'window', message: 'No window', until: inHours(3) },
              ],
            }),
          ],
        }),
      },
    );
    const deploy = await screen.findByRole('button', { name: 'Deploy' }, slow);
    expect(deploy).toBeEnabled();
  });

  it('keeps break-glass possible: an active override lifts the road blockers, as the backend does', async () => {
    const override = {
      id: 'ov-1',
      entityRef: 'component:default/rco',
      environment: 'production',
      release: RELEASE,
      justification: 'Hotfix',
      expiresAt: inHours(2),
      createdBy: 'user:default/pat',
      createdAt: hoursAgo(0),
      state: 'active',
    };
    await renderPanel(
      mockApi({
        listEnvironments: jest.fn(async () => [
          production({ requiredSignoffs: [] }),
        ]),
        listOverrides: jest.fn(async () => [override as any]),
      }),
      [status()],
      {
        road: road({
          stages: [
            stage({
              environment: 'production',
              blockers: [
                { kind: 'window', message: 'No window', until: inHours(3) },
                {
                  kind: 'marked',
                  message: 'v1.3.2 was rolled back in production',
                },
              ],
            }),
          ],
        }),
      },
    );
    // The backend's preflight lifts every road blocker for an active override (its reasons
    // name them): Deploy stays possible, the override banner says why.
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Deploy' })).toBeEnabled(),
    );
    expect(
      screen.queryByRole('list', { name: 'Why Deploy is disabled' }),
    ).not.toBeInTheDocument();
  });
});
