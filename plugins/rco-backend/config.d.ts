import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Configuration of the RCO Release Console backend. */
  rco?: {
    runbooks?: {
      /** When to re-read every governed entity's runbook. Defaults to every 30 minutes. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    evidence?: {
      /** Largest accepted upload in bytes (413 above it). Default 10 MB. */
      maxUploadBytes?: number;
    };
    /**
     * Gate thresholds. A runbook's checklist may tighten a maximum age, never loosen it.
     * Keys are gate ids (acronym-clarity, secret-hygiene, …).
     */
    gates?: {
      [gate: string]: {
        /** Maximum evidence age, ISO 8601 (P7D). */
        maxAge?: string;
        /** image-scanning only: severities that fail the gate. Default CRITICAL and HIGH. */
        blockingSeverities?: string[];
        /** documentation-completeness only: the Helix Core repository artefacts must live in. */
        repository?: string;
      };
    };
    signoffs?: {
      /** Group whose members may sign for each role. */
      groups?: { po?: string; dpo?: string; security?: string };
    };
    waivers?: {
      /** Group whose members may waive a gate. Default group:default/security. */
      group?: string;
      /** Longest waiver, ISO 8601. Default P7D. */
      maxDuration?: string;
    };
    ci?: {
      /**
       * Service principals (subjects of `backend.auth.externalAccess` static tokens) and the
       * entities each may upload evidence for.
       */
      subjects?: Array<{ subject: string; entities: string[] }>;
    };
    /** Seed the demo evidence (the embedded local portal only). */
    demoEvidence?: boolean;
    /** Folder holding demo-evidence.yaml, relative to the backend's working directory. */
    demoEvidenceDir?: string;
  };
}
