import { Config } from '@backstage/config';
import { GATE_IDS, GateId } from '@internal/plugin-rco-common';
import { Duration } from 'luxon';
import { GateConfig } from './gates/types';

/** The plugin's configuration, read once at start (see config.d.ts). */
export interface RcoConfig {
  gates: GateConfig;
  maxUploadBytes: number;
  signoffGroups: Record<'po' | 'dpo' | 'security', string>;
  waiverGroup: string;
  waiverMaxDuration: Duration;
  /** Service principals (CI tokens) and the entities each may write evidence for. */
  ciSubjects: Array<{
    subject: string;
    entities: string[];
    /** Operations the token may run: deploy, rollback, control. None by default. */
    operations: string[];
  }>;
  /** Group whose members may record break-glass overrides. */
  breakGlassGroup: string;
  /** Longest break-glass override. */
  breakGlassMaxDuration: Duration;
  /** Load demo evidence into the embedded default portal. */
  demoEvidence: boolean;
}

const iso = (config: Config, key: string, fallback: string) => {
  const value = config.getOptionalString(key) ?? fallback;
  const duration = Duration.fromISO(value);
  if (!duration.isValid) {
    throw new Error(
      `${key} must be an ISO 8601 duration such as P7D, got "${value}"`,
    );
  }
  return duration;
};

export function readRcoConfig(root: Config): RcoConfig {
  const config = root.getOptionalConfig('rco');
  const maxAge: Partial<Record<GateId, string>> = {};
  for (const gate of GATE_IDS) {
    const value = config?.getOptionalString(`gates.${gate}.maxAge`);
    if (value)
      maxAge[gate] = iso(config!, `gates.${gate}.maxAge`, value).toISO()!;
  }
  return {
    gates: {
      maxAge,
      blockingSeverities: config?.getOptionalStringArray(
        'gates.image-scanning.blockingSeverities',
      ) ?? ['CRITICAL', 'HIGH'],
      helixCoreRepository:
        config?.getOptionalString(
          'gates.documentation-completeness.repository',
        ) ?? 'helix-core',
    },
    maxUploadBytes:
      config?.getOptionalNumber('evidence.maxUploadBytes') ?? 10 * 1024 * 1024,
    signoffGroups: {
      po:
        config?.getOptionalString('signoffs.groups.po') ??
        'group:default/product-owners',
      dpo:
        config?.getOptionalString('signoffs.groups.dpo') ?? 'group:default/dpo',
      security:
        config?.getOptionalString('signoffs.groups.security') ??
        'group:default/security',
    },
    waiverGroup:
      config?.getOptionalString('waivers.group') ?? 'group:default/security',
    waiverMaxDuration: config
      ? iso(config, 'waivers.maxDuration', 'P7D')
      : Duration.fromISO('P7D'),
    ciSubjects: (config?.getOptionalConfigArray('ci.subjects') ?? []).map(
      c => ({
        subject: c.getString('subject'),
        entities: c.getStringArray('entities').map(e => e.toLowerCase()),
        operations: c.getOptionalStringArray('operations') ?? [],
      }),
    ),
    demoEvidence: config?.getOptionalBoolean('demoEvidence') ?? false,
    breakGlassGroup:
      config?.getOptionalString('breakGlass.group') ??
      'group:default/break-glass',
    breakGlassMaxDuration: config
      ? iso(config, 'breakGlass.maxDuration', 'PT4H')
      : Duration.fromISO('PT4H'),
  };
}
