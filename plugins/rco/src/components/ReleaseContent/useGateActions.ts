import { CompoundEntityRef } from '@backstage/catalog-model';
import { TERMINAL_OPERATION_STATES } from '@helix-portal/plugin-rco-common';
import { useEffect, useRef, useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { messageOf } from '../Operations/errors';
import { newIdempotencyKey } from '../Operations/model';

/** A dry-run the page started from a gate's next step, as far as it has got. */
export interface DryRunState {
  state: 'starting' | 'running' | 'succeeded' | 'failed';
  message?: string;
}

export interface GateActions {
  /** Starts a rollback dry-run of the previous revision in an environment (no confirmation). */
  dryRun: (environment: string) => void;
  dryRuns: Record<string, DryRunState>;
  /** Records the caller as the release's requester. */
  request: () => void;
  requesting: boolean;
  requestError?: string;
}

const POLL_MS = 2000;

/**
 * What the gates' next steps let the page do itself: a rollback dry-run (its result is the
 * migration-controls evidence) and the release request. A dry-run changes nothing, so it needs no
 * typed confirmation, as on the deploy side; each click is one intent with its own idempotency
 * key, and the page follows the operation until it ends, then re-reads the gates.
 */
export function useGateActions(options: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  release: { version?: string; digest?: string };
  onChanged: () => void;
}): GateActions {
  const { api, entityRef, release } = options;
  const [dryRuns, setDryRuns] = useState<Record<string, DryRunState>>({});
  const [requesting, setRequesting] = useState(false);
  const [requestError, setRequestError] = useState<string>();
  const onChanged = useRef(options.onChanged);
  onChanged.current = options.onChanged;
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  useEffect(() => () => timers.current.forEach(clearTimeout), []);

  const set = (environment: string, state: DryRunState) =>
    setDryRuns(prev => ({ ...prev, [environment]: state }));

  const follow = (id: string, environment: string) => {
    timers.current.push(
      setTimeout(async () => {
        try {
          const op = await api.getOperation(id);
          if (!TERMINAL_OPERATION_STATES.includes(op.state)) {
            follow(id, environment);
            return;
          }
          set(environment, {
            state: op.state === 'succeeded' ? 'succeeded' : 'failed',
            message: op.progress?.message ?? op.reasons?.join('; '),
          });
          onChanged.current();
        } catch (e) {
          set(environment, { state: 'failed', message: messageOf(e) });
        }
      }, POLL_MS),
    );
  };

  const dryRun = async (environment: string) => {
    if (['starting', 'running'].includes(dryRuns[environment]?.state ?? ''))
      return;
    set(environment, { state: 'starting' });
    try {
      const op = await api.createOperation(
        entityRef,
        { type: 'rollback-dry-run', environment },
        newIdempotencyKey(),
      );
      if (TERMINAL_OPERATION_STATES.includes(op.state)) {
        set(environment, {
          state: op.state === 'succeeded' ? 'succeeded' : 'failed',
          message: op.progress?.message ?? op.reasons?.join('; '),
        });
        onChanged.current();
      } else {
        set(environment, { state: 'running' });
        follow(op.id, environment);
      }
    } catch (e) {
      set(environment, { state: 'failed', message: messageOf(e) });
    }
  };

  const request = async () => {
    if (!release.version || !release.digest || requesting) return;
    setRequesting(true);
    setRequestError(undefined);
    try {
      await api.requestRelease(entityRef, {
        version: release.version,
        digest: release.digest,
      });
      onChanged.current();
    } catch (e) {
      setRequestError(messageOf(e));
    } finally {
      setRequesting(false);
    }
  };

  return { dryRun, dryRuns, request, requesting, requestError };
}
