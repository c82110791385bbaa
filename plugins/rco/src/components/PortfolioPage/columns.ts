import { GATES, GateStatus } from '@helix-portal/plugin-rco-common';
import { PortfolioMeta } from './usePortfolioPages';

/** A gate column of the heat map: its title, and its counts over every filtered service. */
export interface PortfolioColumn {
  id: string;
  title: string;
  counts?: Record<GateStatus, number>;
}

const CATALOGUE: PortfolioColumn[] = GATES.map(g => ({
  id: g.id,
  title: g.title,
}));

/**
 * The backend's columns (its gates in gate order, with counts); the catalogue's gates, without
 * counts, until an answer names them.
 */
export function columnsOf(meta?: PortfolioMeta): PortfolioColumn[] {
  return meta?.columns?.length ? meta.columns : CATALOGUE;
}
