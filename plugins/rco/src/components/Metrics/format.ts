import { DeliveryMetric } from '@helix-portal/plugin-rco-common';
import { Duration } from 'luxon';

/** How demo history is labelled wherever it is shown (the metrics, the override dialogs). */
export const DEMO_LABEL = 'Demo data: generated history of the local portal';

/** A number as the tables and cards show it: one decimal at most, a dash for none. */
export function num(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const f = 10 ** digits;
  return String(Math.round(value * f) / f);
}

/** Hours as the trend's table, its tooltip and the metric cards all show them: two decimals. */
export const hours = (value: number | null | undefined) => num(value, 2);

/** A share (0..1) as a percentage. */
export const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${num(value * 100)} %`;

/** The unit of a delivery metric in words, as people say it. */
export function unitWords(metric: DeliveryMetric): string {
  switch (metric.unit) {
    case 'per-day':
      return 'deploys a day';
    case 'hours':
      return 'hours (median)';
    default:
      return 'of deploys failed';
  }
}

/** The metric's value as it reads on its card: a share as a percentage. */
export function metricValue(metric: DeliveryMetric): string {
  if (metric.unit === 'hours') return hours(metric.value);
  return metric.unit === 'ratio' ? percent(metric.value) : num(metric.value, 2);
}

/** A release as "v1.3.2" or its short digest. */
export function releaseWords(release: { version?: string; digest?: string }) {
  if (release.version) return `v${release.version}`;
  return release.digest ? release.digest.slice(0, 19) : '—';
}

/** An instant as "2026-11-30 14:05 UTC": the same text in the table and its CSV. */
export function instant(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "P7D (7 days)": the configured text and what it means (the Gate policy page, the metrics). */
export function durationWords(iso?: string) {
  if (!iso) return 'none';
  const d = Duration.fromISO(iso);
  if (!d.isValid) return iso;
  const human = d.rescale().toHuman({ unitDisplay: 'long' });
  return human && human !== iso ? `${iso} (${human})` : iso;
}
