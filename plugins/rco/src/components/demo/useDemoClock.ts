import { useApi } from '@backstage/frontend-plugin-api';
import { CapabilitiesResponse } from '@helix-portal/plugin-rco-common';
import { useCallback, useEffect, useState } from 'react';
import { rcoApiRef } from '../../api/RcoApi';

/** The local portal's demo clock as the page knows it, and a way to move it forward. */
export interface DemoClockState {
  /** Whether the data is demo data (capabilities.demo present). */
  enabled: boolean;
  offsetMs: number;
  canAdvance: boolean;
  advancing: boolean;
  error?: Error;
  advance(step: string): Promise<void>;
}

/**
 * Follows capabilities.demo and keeps the offset the backend returns after each move, so the
 * page's relative times (ClockProvider) read against the portal's clock at once.
 */
export function useDemoClock(
  demo: CapabilitiesResponse['demo'],
  onAdvanced?: () => void,
): DemoClockState {
  const api = useApi(rcoApiRef);
  const [offsetMs, setOffsetMs] = useState(demo?.clockOffsetMs ?? 0);
  const [advancing, setAdvancing] = useState(false);
  const [error, setError] = useState<Error>();
  useEffect(() => {
    // A newer capabilities read (another tab moved the clock) is never behind this one.
    if (demo) setOffsetMs(o => Math.max(o, demo.clockOffsetMs));
  }, [demo]);
  const advance = useCallback(
    async (step: string) => {
      if (!api.advanceDemoClock) return;
      setAdvancing(true);
      setError(undefined);
      try {
        const moved = await api.advanceDemoClock(step);
        setOffsetMs(moved.offsetMs);
        onAdvanced?.();
      } catch (e) {
        setError(e as Error);
      } finally {
        setAdvancing(false);
      }
    },
    [api, onAdvanced],
  );
  return {
    enabled: !!demo,
    offsetMs,
    canAdvance: !!demo?.canAdvanceClock && !!api.advanceDemoClock,
    advancing,
    error,
    advance,
  };
}
