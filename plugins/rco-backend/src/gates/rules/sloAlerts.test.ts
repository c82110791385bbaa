import { sloKindsOf } from './sloAlerts';

/**
 * Which SLO an alert covers. The availability SLO counts the `up` metric only as a PromQL
 * identifier: a name ending in "Up" or a `by (group)` clause does not stand in for it (R2, low).
 */
describe('sloKindsOf', () => {
  it.each([
    ['RcoInstanceGone', 'up{job="rco"} == 0'],
    ['RcoScrapeFailing', 'avg_over_time(up[5m]) < 0.9'],
    ['RcoTargets', 'sum(up) by (job) < 2'],
    ['RcoTargets', 'min(up{service="rco"})==0'],
    ['RCOAvailabilityBurnRate', 'vector(1)'],
    ['RcoDown', 'vector(1)'],
    ['RcoAbsent', 'absent(rco_requests_total)'],
  ])('counts %s (%s) for availability', (alert, expr) => {
    expect(sloKindsOf({ alert, expr })).toContain('availability');
  });

  it.each([
    [
      'DiskWillFillUp',
      'predict_linear(node_filesystem_free_bytes[6h], 86400) < 0',
    ],
    ['QueueBacklog', 'sum(rco_queue_depth) by (group) > 100'],
    ['SignupsLow', 'sum(rate(rco_signup_total[1h])) < 1'],
    [
      'BackupOld',
      'time() - velero_backup_last_successful_timestamp{job="up"} > 86400',
    ],
    ['CertExpiring', 'rco_cert_expiry_seconds{setup="pick_up"} < 86400'],
  ])('does not count %s (%s) for availability', (alert, expr) => {
    expect(sloKindsOf({ alert, expr })).not.toContain('availability');
  });
});
