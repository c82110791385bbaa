import { CompoundEntityRef } from '@backstage/catalog-model';
import { CollectionStatusResponse } from '@helix-portal/plugin-rco-common';
import { useEffect, useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { RcoApi } from '../../api/RcoApi';
import { useKept } from '../live';
import { collectionSummary } from './collectionWords';

/** The collection health as the page holds it, and "Collect now". */
export interface Collection {
  /** The last good read (or the answer of the last collection on demand). */
  value?: CollectionStatusResponse;
  /** The last read failed (with a value: a background re-read; the value stays). */
  error?: Error;
  retry: () => void;
  /** A collection on demand is running. */
  running: boolean;
  /** Why the last collection on demand was refused. */
  refused?: unknown;
  /** What a screen reader is told about the collection on demand. */
  announced: string;
  /** Absent when the client cannot ask for one. */
  collectNow?: () => Promise<void>;
  /** Clusters the backend marks as the local portal's simulated cluster. */
  simulatedClusters: Set<string>;
}

/**
 * Reads the collection health of the entity, again whenever the page re-reads
 * (`refreshToken`); a failed re-read keeps what was read. "Collect now" asks the backend for a
 * run and tells the page (`onCollected`): the gates may have changed.
 */
export function useCollection(
  api: RcoApi,
  entityRef: CompoundEntityRef,
  refreshToken?: number,
  onCollected?: () => void,
): Collection {
  const key = `${entityRef.kind}:${entityRef.namespace}/${entityRef.name}`;
  const read = useAsyncRetry(
    async () => (api.getCollection ? api.getCollection(entityRef) : undefined),
    // key stands for the entity ref.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key, refreshToken],
  );
  const kept = useKept(read, key);
  const [collected, setCollected] = useState<CollectionStatusResponse>();
  const [running, setRunning] = useState(false);
  const [refused, setRefused] = useState<unknown>();
  const [announced, setAnnounced] = useState('');
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  // A read that ends after the collection's answer is at least as new: it takes over.
  useEffect(() => {
    if (read.value) setCollected(undefined);
  }, [read.value]);

  const collectNow = async () => {
    if (running || !api.refreshCollection) return;
    setRunning(true);
    setRefused(undefined);
    setAnnounced('Collecting…');
    try {
      const answer = await api.refreshCollection(entityRef);
      if (!alive.current) return;
      setCollected(answer);
      setAnnounced(`Collection finished. ${collectionSummary(answer.health)}.`);
      onCollected?.();
    } catch (e) {
      if (!alive.current) return;
      setRefused(e);
      setAnnounced('');
    } finally {
      if (alive.current) setRunning(false);
    }
  };

  const value = collected ?? kept.value;
  return {
    value,
    error: read.error,
    retry: read.retry,
    running,
    refused,
    announced,
    collectNow: api.refreshCollection ? collectNow : undefined,
    simulatedClusters: new Set(
      (value?.health ?? []).filter(h => h.simulated).map(h => h.cluster),
    ),
  };
}
