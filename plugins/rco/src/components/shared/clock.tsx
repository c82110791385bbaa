import { createContext, ReactNode, useContext } from 'react';

/**
 * How far the portal's clock runs ahead of the browser's, in milliseconds. Zero everywhere but
 * the local portal, whose demo clock can be moved forward (capabilities.demo.clockOffsetMs):
 * relative times must then read against the portal's time, or fresh evidence would read as
 * "in 2 hours".
 */
const ClockOffset = createContext(0);

export function ClockProvider(props: {
  offsetMs?: number;
  children: ReactNode;
}) {
  return (
    <ClockOffset.Provider value={props.offsetMs ?? 0}>
      {props.children}
    </ClockOffset.Provider>
  );
}

/** The portal's time now, in epoch milliseconds. */
export function usePortalNow(): () => number {
  const offset = useContext(ClockOffset);
  return () => Date.now() + offset;
}
