import { createContext, ReactElement, useContext } from 'react';
import { ResponsiveContainer } from 'recharts';

/**
 * A fixed chart width, for where nothing has a size (jsdom in tests, a print view). Without it a
 * chart takes its container's width.
 */
export const ChartWidth = createContext<number | undefined>(undefined);

/** A recharts chart at the fixed width when one is given, else as wide as its container. */
export function SizedChart(props: {
  height: number;
  children: (size: { width?: number; height: number }) => ReactElement;
}) {
  const width = useContext(ChartWidth);
  if (width) return props.children({ width, height: props.height });
  return (
    <ResponsiveContainer width="100%" height={props.height}>
      {props.children({ height: props.height })}
    </ResponsiveContainer>
  );
}
