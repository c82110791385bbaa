import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { OperationResponse } from '@helix-portal/plugin-rco-common';
import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { RcoApi } from '../../api/RcoApi';
import { useKept } from '../live/useLastGood';
import { isActive } from './model';

/** How often the page asks about an active operation when no signal arrives. */
export const POLL_INTERVAL_MS = 2000;

/** What the backend publishes on the entity's operations channel (a nudge, not the data). */
type OperationSignal = { id: string; state: string; environment: string };

/**
 * The last message on a signals channel, subscribing only once the channel is known: the channel
 * comes from the API (the capabilities), never from the entity ref, and until it arrives, or in a
 * portal without signals, the page polls instead.
 */
function useChannel(channel: string | undefined) {
  const signals = useApiHolder().get(signalApiRef);
  const [lastSignal, setLastSignal] = useState<OperationSignal>();
  useEffect(() => {
    if (!signals || !channel) return undefined;
    const { unsubscribe } = signals.subscribe(channel, message =>
      setLastSignal(message as unknown as OperationSignal),
    );
    return unsubscribe;
  }, [signals, channel]);
  return lastSignal;
}

/**
 * The deploy side's data: environments, history, break-glass overrides and the operation the
 * page follows. Backstage signals make it live; polling every two seconds while an operation is
 * active covers a portal without signals (or a dropped connection). Everything is re-read
 * through the API because a signal deliberately carries no more than an id.
 */
export function useOperations(options: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  environment?: string;
  /** The entity's operations channel, as the capabilities give it (no live updates without). */
  channel?: string;
  /** Called when a followed operation ends: the gates may have changed (a dry-run counts). */
  onFinished?: (op: OperationResponse) => void;
  /**
   * Changes when the page around re-read (a nudge on the release channel, a poll): the lists
   * are read again too, so an override granted elsewhere shows here as in the page header.
   */
  refreshToken?: unknown;
}) {
  const { api, entityRef, environment } = options;
  const key = stringifyEntityRef(entityRef).toLowerCase();
  // A counter rather than useAsyncRetry's retry, which ignores calls made while a load is in
  // flight: a signal arriving mid-load must still cause a fresh read.
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick(t => t + 1), []);
  const token = useRef(options.refreshToken);
  useEffect(() => {
    if (token.current === options.refreshToken) return;
    token.current = options.refreshToken;
    reload();
  }, [options.refreshToken, reload]);
  // async wrappers: whatever the client throws becomes an error state, never a crash. A failed
  // re-read keeps the last lists read (the dialogs over them stay open); `error` says it failed.
  const environments = useKept(
    useAsync(async () => api.listEnvironments(entityRef), [api, key, tick]),
    key,
  );
  const history = useKept(
    useAsync(
      async () => api.listOperations(entityRef, { environment }),
      [api, key, environment, tick],
    ),
    `${key}|${environment ?? ''}`,
  );
  const overrides = useKept(
    useAsync(async () => api.listOverrides(entityRef), [api, key, tick]),
    key,
  );
  const [operation, setOperation] = useState<OperationResponse>();
  const [liveError, setLiveError] = useState<Error>();
  const lastSignal = useChannel(options.channel);

  const refresh = useCallback(
    async (id: string) => {
      try {
        setOperation(await api.getOperation(id));
        setLiveError(undefined);
      } catch (e) {
        setLiveError(e as Error);
      }
    },
    [api],
  );

  // When the followed operation ends, the lists (and, through onFinished, the gates) re-read
  // once. An operation first seen already ended (a fast dry-run) counts as ending too.
  const previous = useRef<OperationResponse>();
  const onFinished = useRef(options.onFinished);
  onFinished.current = options.onFinished;
  useEffect(() => {
    const prev = previous.current;
    previous.current = operation;
    if (!operation || isActive(operation)) return;
    if (prev?.id === operation.id && !isActive(prev)) return;
    reload();
    onFinished.current?.(operation);
  }, [operation, reload]);

  // Each environment shows its own operation; another environment's stays on its card.
  useEffect(() => {
    setOperation(op => (op && op.environment !== environment ? undefined : op));
  }, [environment]);

  // An operation someone (or another tab) started is picked up from the environment's lock.
  const activeId = environments.value?.find(
    e => e.name === environment,
  )?.activeOperationId;
  useEffect(() => {
    if (activeId && activeId !== operation?.id) refresh(activeId);
  }, [activeId, operation?.id, refresh]);

  // Polling fallback: only while the followed operation can still change.
  const pollId = isActive(operation) ? operation!.id : undefined;
  useEffect(() => {
    if (!pollId) return undefined;
    const timer = setInterval(() => refresh(pollId), POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [pollId, refresh]);

  // A signal: re-read what it may concern.
  const followedId = operation?.id;
  useEffect(() => {
    if (!lastSignal) return;
    reload();
    if (
      lastSignal.id === followedId ||
      lastSignal.environment === environment
    ) {
      refresh(lastSignal.id);
    }
    // Only a new signal should trigger this, not a change of the followed operation.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastSignal]);

  return {
    environments,
    history,
    overrides,
    /** The operation the page follows: the active one, or the last one started here. */
    operation,
    /** Set when the page cannot follow the operation (polling failed); shown, not fatal. */
    liveError,
    /** Follow an operation the page just created or changed. */
    track: setOperation as (op: OperationResponse) => void,
    dismiss: () => setOperation(undefined),
    reload,
  };
}
