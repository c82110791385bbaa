import { renderInTestApp } from '@backstage/test-utils';
import { GateResult } from '@helix-portal/plugin-rco-common';
import { screen } from '@testing-library/react';
import { NextSteps, NextStepContext, WhoMayWaive } from './NextSteps';

const gate = (g: Partial<GateResult>) =>
  ({
    id: 'image-scanning',
    title: 'Image Scanning',
    status: 'pass',
    ...g,
  } as GateResult);

describe('who may waive, when no gate blocks (issue 12 review, point 3)', () => {
  it('never says "the waiver group" when every gate passes', async () => {
    await renderInTestApp(
      <div data-testid="who">
        <WhoMayWaive gates={[gate({})]} />
      </div>,
    );
    const who = screen.getByTestId('who');
    expect(who).not.toHaveTextContent(/waiver group/);
    expect(who).toHaveTextContent('No gate needs a waiver.');
  });

  it('names who granted the waiver in force when nothing else blocks', async () => {
    await renderInTestApp(
      <div data-testid="who">
        <WhoMayWaive
          gates={[
            gate({
              status: 'waived',
              waiver: {
                grantedBy: 'user:default/samir.haddad',
                expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
                justification: 'Scanner down',
              } as any,
            }),
          ]}
        />
      </div>,
    );
    const who = screen.getByTestId('who');
    expect(who).not.toHaveTextContent(/waiver group/);
    expect(who).toHaveTextContent(
      'No other gate needs a waiver; samir.haddad granted the one in force.',
    );
  });

  it('says no catalog group grants waivers when a gate blocks and no step names anyone', async () => {
    await renderInTestApp(
      <div data-testid="who">
        <WhoMayWaive gates={[gate({ status: 'fail', next: [] })]} />
      </div>,
    );
    const who = screen.getByTestId('who');
    expect(who).not.toHaveTextContent(/waiver group/);
    expect(who).toHaveTextContent(
      'Nobody can waive a gate here: the portal names no catalog group that grants waivers (rco.waivers.group).',
    );
  });

  it('names the people of a waive step', async () => {
    await renderInTestApp(
      <div data-testid="who">
        <WhoMayWaive
          gates={[
            gate({
              status: 'fail',
              next: [
                {
                  action: 'waive',
                  text: 'Or a member of group:default/release-managers waives',
                  group: 'group:default/release-managers',
                  people: [
                    { ref: 'user:default/samir.haddad', name: 'Samir Haddad' },
                  ],
                },
              ],
            }),
          ]}
        />
      </div>,
    );
    expect(screen.getByTestId('who')).toHaveTextContent(
      'Waivers are granted by Samir Haddad (release-managers).',
    );
  });
});

describe('dry-run and request messages in words (issue 12 review, point 3)', () => {
  const ctx = (
    actions: Partial<NextStepContext['actions']>,
  ): NextStepContext => ({
    capabilities: {
      requestRelease: true,
      operations: { rollback: true },
      signoff: {},
    } as any,
    runbookPath: '/runbook',
    goSign: jest.fn(),
    actions: {
      dryRun: jest.fn(),
      dryRuns: {},
      request: jest.fn(),
      requesting: false,
      ...actions,
    },
  });

  it('shows a dry-run message with people by name and durations in words', async () => {
    await renderInTestApp(
      <NextSteps
        gate={gate({
          id: 'migration-controls',
          title: 'Migration Controls',
          status: 'missing',
          next: [
            {
              action: 'rollback-dry-run',
              text: 'Run a dry-run',
              environment: 'staging',
            },
          ],
        })}
        ctx={ctx({
          dryRuns: {
            staging: {
              state: 'failed',
              message: 'user:default/guest started it; no revision in PT15M',
            },
          },
        })}
      />,
    );
    const alert = screen.getByText(/Dry-run in staging failed/).closest('div')!;
    expect(alert).toHaveTextContent(
      'guest started it; no revision in 15 minutes',
    );
    expect(alert).not.toHaveTextContent('user:default/');
  });

  it('shows a refused request with people by name', async () => {
    await renderInTestApp(
      <NextSteps
        gate={gate({
          id: 'dpo-signoff',
          title: 'Sign-offs',
          status: 'missing',
          next: [{ action: 'request-release', text: 'Request it' }],
        })}
        ctx={ctx({
          requestError: 'user:default/guest already requested 1.3.2',
        })}
      />,
    );
    const alert = screen
      .getByText(/already requested/)
      .closest('[role="alert"]')!;
    expect(alert).toHaveTextContent('guest already requested 1.3.2');
    expect(alert).not.toHaveTextContent('user:default/');
  });
});
