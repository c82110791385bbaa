import { createRouteRef } from '@backstage/core-plugin-api';

/** @public */
export const rootRouteRef = createRouteRef({ id: 'rco' });

/** @public */
export const releaseRouteRef = createRouteRef({ id: 'rco-release' });

/** @public */
export const portfolioRouteRef = createRouteRef({ id: 'rco-portfolio' });

/** @public */
export const gatePolicyRouteRef = createRouteRef({ id: 'rco-gate-policy' });
