import { TimelineResponse } from '@helix-portal/plugin-rco-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  api,
  hoursAgo,
  RELEASE,
  refused,
  renderWith,
} from '../../__testUtils__/roadFixtures';
import { inOrder, ReleaseTimeline } from './ReleaseTimeline';

jest.setTimeout(30_000);

const timeline: TimelineResponse = {
  entityRef: 'component:default/rco',
  release: RELEASE,
  // Not in order on purpose: the page orders them.
  events: [
    {
      at: hoursAgo(1),
      type: 'operation',
      title: 'Deploy to production succeeded',
      actor: 'user:default/alice',
      ledgerSeq: 31,
      link: { kind: 'operation', id: 'op-7', href: '/operations/op-7' },
    },
    {
      at: hoursAgo(30),
      type: 'evidence',
      title: 'Trivy scan arrived',
      actor: 'service:ci-rco',
      ledgerSeq: 3,
      link: { kind: 'evidence', id: 'ev-1', href: '/evidence/ev-1' },
    },
    {
      at: hoursAgo(5),
      type: 'signoff',
      title: 'Security approved',
      detail: 'Approved by user:default/mei',
      actor: 'user:default/mei',
      ledgerSeq: 12,
      link: { kind: 'signoff', id: 'so-1', href: '/signoffs/so-1' },
    },
  ],
};

describe('ReleaseTimeline', () => {
  it('orders events oldest first, same instants in the order given', () => {
    const at = hoursAgo(2);
    const events = inOrder([
      { at, type: 'gate', title: 'b' },
      { at: hoursAgo(3), type: 'gate', title: 'a' },
      { at, type: 'gate', title: 'c' },
    ]);
    expect(events.map(e => e.title)).toEqual(['a', 'b', 'c']);
  });

  it('lists the events in order with their type in words, actor, time and ledger entry', async () => {
    await renderWith(<ReleaseTimeline api={api()} timeline={timeline} />);
    const list = screen.getByRole('list', { name: 'Release timeline' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map(i => i.textContent)).toEqual([
      expect.stringMatching(
        /Evidence.*Trivy scan arrived.*By service:ci-rco · Ledger entry 3/,
      ),
      expect.stringMatching(
        /Sign-off.*Security approved.*Approved by Mei Tanaka.*By Mei Tanaka · Ledger entry 12/,
      ),
      expect.stringMatching(
        /Operation.*Deploy to production succeeded.*By Alice Moreau · Ledger entry 31/,
      ),
    ]);
    expect(items[0]).toHaveTextContent('1 day ago');
    expect(items[0].querySelector('time')).toHaveAttribute(
      'dateTime',
      timeline.events[1].at,
    );
  });

  it('opens evidence in the evidence drawer and other records as their JSON', async () => {
    const onOpenEvidence = jest.fn();
    const getRecord = jest.fn(async () => ({ id: 'op-7', state: 'succeeded' }));
    await renderWith(
      <ReleaseTimeline
        api={api({ getRecord })}
        timeline={timeline}
        onOpenEvidence={onOpenEvidence}
      />,
    );
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Open the evidence of: Trivy scan arrived',
      }),
    );
    expect(onOpenEvidence).toHaveBeenCalledWith('ev-1');
    expect(getRecord).not.toHaveBeenCalled();

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Open the record of: Deploy to production succeeded',
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Operation: Deploy to production succeeded',
    });
    expect(getRecord).toHaveBeenCalledWith('/operations/op-7');
    expect(
      await within(dialog).findByLabelText('Record /operations/op-7'),
    ).toHaveTextContent('"state": "succeeded"');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('says when a record cannot be read', async () => {
    const getRecord = jest.fn(async () => {
      throw await refused(403, 'You may not read sign-off so-1');
    });
    await renderWith(
      <ReleaseTimeline api={api({ getRecord })} timeline={timeline} />,
    );
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Open the record of: Security approved',
      }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The record could not be read: You may not read sign-off so-1',
    );
  });

  it('says when the timeline cannot be read, and when nothing is recorded yet', async () => {
    const { rerender } = await renderWith(
      <ReleaseTimeline api={api()} error={new Error('backend down')} />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'The timeline could not be read: backend down',
    );
    rerender(
      <ReleaseTimeline api={api()} timeline={{ ...timeline, events: [] }} />,
    );
    expect(
      screen.getByText('Nothing recorded for this release yet.'),
    ).toBeInTheDocument();
  });
});
