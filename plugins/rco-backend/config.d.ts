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
      subjects?: Array<{
        subject: string;
        entities: string[];
        /** Operations the token may run on those entities: deploy, rollback, control. None by default. */
        operations?: Array<'deploy' | 'rollback' | 'control'>;
      }>;
    };
    /**
     * Where releases are deployed. Each environment names a driver (helm, argo-rollouts,
     * simulated, or one a module adds) and, for the real drivers, a cluster of the Kubernetes
     * plugin's `kubernetes.clusterLocatorMethods[type=config]`. An entity can differ through the
     * annotations `rco.helix.dev/<namespace|helm-release|helm-chart-version|rollout|
     * rollout-container>[.<environment>]`; the chart and the image repository come from here
     * only, and a namespace must be listed in allowedNamespaces.
     */
    environments?: Array<{
      name: string;
      driver: string;
      /** Cluster name from the kubernetes configuration. */
      cluster?: string;
      /** Default: default. */
      namespace?: string;
      /** Namespaces an entity's annotation may choose. Default: only `namespace`. */
      allowedNamespaces?: string[];
      helm?: {
        /** Default: the entity's name. */
        release?: string;
        chart?: string;
        chartVersion?: string;
        /** Values written to a temporary file for `helm upgrade`. */
        values?: { [key: string]: unknown };
      };
      rollout?: { name?: string; container?: string };
      /** ISO 8601, default PT10M. */
      timeout?: string;
      /** Sign-offs of the release a deploy here needs (production: po, dpo, security). */
      requiredSignoffs?: Array<'po' | 'dpo' | 'security'>;
      /**
       * Image repository the release digest is appended to (repo@sha256:…); `{name}` stands for
       * the entity's name. Required for the helm driver.
       */
      imageRepository?: string;
    }>;
    operations?: {
      /** How long a backend holds an operation without a heartbeat before another adopts it. Default PT30S. */
      leaseDuration?: string;
      /** How often a running operation asks its driver. Default PT2S. */
      pollInterval?: string;
      /** Operations nobody confirms within this are aborted. Default PT1H. */
      confirmationTimeout?: string;
    };
    breakGlass?: {
      /** Group whose members may record break-glass overrides. Default group:default/break-glass. */
      group?: string;
      /** Longest override, ISO 8601. Default PT4H. */
      maxDuration?: string;
    };
    /** The simulated driver (local portal and tests only). */
    simulated?: {
      /** Time between canary steps, ISO 8601. Default PT1S. */
      stepDelay?: string;
    };
    /** Seed the demo evidence (the embedded local portal only). */
    demoEvidence?: boolean;
    /** Folder holding demo-evidence.yaml, relative to the backend's working directory. */
    demoEvidenceDir?: string;
  };
}
