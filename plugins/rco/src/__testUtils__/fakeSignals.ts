import { act } from '@testing-library/react';

/** A signals API whose channels a test publishes on, as the backend does. */
export function fakeSignals() {
  const listeners = new Map<string, (m: any) => void>();
  return {
    api: {
      subscribe: jest.fn((channel: string, cb: (m: any) => void) => {
        listeners.set(channel, cb);
        return { unsubscribe: () => listeners.delete(channel) };
      }),
    },
    publish: (channel: string, message: object) =>
      act(() => listeners.get(channel)?.(message)),
    listening: (channel: string) => listeners.has(channel),
  };
}
