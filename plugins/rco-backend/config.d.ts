import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Configuration of the RCO Release Console backend. */
  rco?: {
    runbooks?: {
      /** When to re-read every governed entity's runbook. Defaults to every 30 minutes. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    /**
     * Evidence the console collects itself (issue 13): the registered collectors (Kubernetes,
     * Prometheus, modules') run on this schedule, one backend replica at a time.
     */
    collection?: {
      /** When to collect. Default every 5 minutes (a run may take 3). */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Longest time one collector may take in one run, ISO 8601. Default PT2M. */
      timeout?: string;
      /**
       * Shortest time between two owner refreshes ("Collect now") of one entity, ISO 8601.
       * Default PT30S; a refresh sooner is refused with 409.
       */
      refreshCooldown?: string;
      /** Owner refreshes one backend instance runs at once; more are refused with 409. Default 2. */
      maxConcurrentRefreshes?: number;
      /**
       * An unchanged collected object's last observation is moved (one evidence-observed ledger
       * entry per run and cluster) only once it is older than this, ISO 8601: steady runs write
       * nothing for unchanged objects, and staleness is right within this. At most a quarter of
       * the shortest gate maxAge and of a day. Default PT1H.
       */
      observationGranularity?: string;
    };
    collectors?: {
      /**
       * The Kubernetes collector: reads policy reports, Gatekeeper constraints, Velero backups
       * and restores, workloads, NetworkPolicies, Argo Rollouts objects and PrometheusRules from
       * the clusters of the `kubernetes:` configuration (the deploy drivers' clusters). Keys of
       * `kinds` are evidence kinds: policy-report, gatekeeper-constraint, velero-backup,
       * velero-restore, workload, network-policy, argo-rollout, argo-analysis-run,
       * argo-analysis-template, prometheus-rule.
       */
      kubernetes?: {
        /** Default true (it reads only clusters the `kubernetes:` configuration names). */
        enabled?: boolean;
        /** Objects per list page (`limit`). Default 500. */
        pageSize?: number;
        /** Per cluster and run, ISO 8601. Default PT30S. */
        timeout?: string;
        /** Lists of one cluster read at the same time (1–32). Default 4. */
        concurrency?: number;
        /**
         * Metadata reads (get on pods, replicasets, workloads) per cluster and run to attribute
         * policy reports through the resource they are about (0–10000). Default 200.
         */
        ownerLookups?: number;
        /** Defaults for every environment, per evidence kind. */
        kinds?: {
          [evidenceKind: string]: {
            /** Default true. */
            enabled?: boolean;
            /** Default the entity's namespace in that environment (velero-*: velero). */
            namespace?: string;
            /**
             * Kubernetes label selector; {name} is the entity's name, {namespace} its catalog
             * namespace. Default app.kubernetes.io/name={name}.
             */
            labelSelector?: string;
          };
        };
        /** Per environment (rco.environments), overriding `kinds` key by key. */
        environments?: {
          [environment: string]: {
            kinds?: {
              [evidenceKind: string]: {
                enabled?: boolean;
                namespace?: string;
                labelSelector?: string;
              };
            };
          };
        };
      };
      /**
       * The monitoring collector: per environment, the Prometheus and Alertmanager the console
       * reads. There the monitoring-alerting gate checks that the SLO alerts are loaded and
       * healthy in Prometheus and routed to a receiver that needs a human's acknowledgement;
       * elsewhere it judges the declared PrometheusRules only. Top-level keys are defaults for
       * every environment.
       */
      prometheus?: {
        /** Per request, ISO 8601. Default PT10S. */
        timeout?: string;
        /**
         * Rule labels that select a service's alerts; values may use {name}, {namespace},
         * {entityNamespace} and {environment}. Default: service: '{name}'. A rule that the labels
         * of more than one entity select is attributed to none (collection health says so): where
         * two namespaces hold entities of one name, add e.g. entity_namespace: '{entityNamespace}'.
         */
        alertLabels?: { [label: string]: string };
        /**
         * Globs of the rule files (as /api/v1/rules names them) that may hold a service's rules,
         * templated like alertLabels, e.g. '**\/prometheus-*-rulefiles-*\/{namespace}-*.yaml'.
         * Labels alone do not bind a rule: any tenant of a shared Prometheus can label its rules
         * as another service's. Default: a file the prometheus-operator wrote counts only when
         * named after the place's namespace; files outside its rulefiles directories count.
         */
        ruleFiles?: string[];
        /** Which Alertmanager receivers count as needing a human's acknowledgement. */
        ackReceivers?: {
          /** Integrations (the `<type>_configs` of a receiver) that page a human. Default pagerduty, opsgenie. */
          integrations?: string[];
          /** Receivers that count whatever their integrations. */
          add?: string[];
          /** Receivers that never count. */
          exclude?: string[];
        };
        /** Keyed by environment name (rco.environments). */
        environments?: {
          [environment: string]: {
            /** Shown in provenance and collection health. Default prometheus-<environment>. */
            name?: string;
            prometheus: {
              url: string;
              /** @visibility secret */
              bearerToken?: string;
              /** Extra request headers (a tenant id). @visibility secret */
              headers?: { [name: string]: string };
            };
            alertmanager: {
              url: string;
              /** @visibility secret */
              bearerToken?: string;
              /** @visibility secret */
              headers?: { [name: string]: string };
            };
            timeout?: string;
            alertLabels?: { [label: string]: string };
            ruleFiles?: string[];
            ackReceivers?: {
              integrations?: string[];
              add?: string[];
              exclude?: string[];
            };
          };
        };
      };
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
        /**
         * Evidence sources that may satisfy the gate: ci, cluster, system (the console's own
         * records) and human (an upload by a person). Default ci, cluster and system. Even where
         * human is accepted, a person's upload never replaces a CI or cluster result.
         */
        sources?: Array<'ci' | 'cluster' | 'system' | 'human'>;
      };
    };
    signoffs?: {
      /**
       * Group whose members may sign for each role, e.g. group:default/dpo. No defaults: a role
       * without a group names nobody, so a release that needs its sign-off cannot pass, and
       * sign-offs given while it was set stop counting. The security group is also told about
       * break-glass overrides (without one, the break-glass group is). Every rco group setting
       * is a full entity ref of a group or user; any other value stops the backend at start.
       */
      groups?: { po?: string; dpo?: string; security?: string };
      /**
       * Group whose members may revoke other people's sign-offs (with rco.signoff.revoke, and
       * audited). Unset by default: only the signer revokes their own decision.
       */
      revokeGroup?: string;
    };
    waivers?: {
      /** Group whose members may waive a gate. No default: unset, nobody waives and no waiver counts. */
      group?: string;
      /** Longest waiver, ISO 8601. Default P7D. */
      maxDuration?: string;
    };
    ci?: {
      /**
       * Service principals and the entities each may read and upload evidence for; a service
       * principal reaches nothing else, and one without an entry reads nothing. `subject` is a
       * `backend.auth.externalAccess` static token's subject (`ci-rco`) or a JWKS token's
       * (`external:ci-rco`); both spellings name the same token. Another plugin of the portal is
       * named `plugin:<pluginId>`. Entity refs are compared case-insensitively.
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
      /**
       * Targets bound to one entity (ADR 0007). The entity's target here is this release or
       * Rollout in this namespace, whatever its annotations say, and no other entity can take it
       * (operations 403, no revisions shown), not even one that claimed it before the binding was
       * configured. A target no binding names belongs to the first entity that creates an
       * operation on it (with that permission) while the release does not exist yet: the claim
       * is recorded with a `target-claim` ledger entry. A release that exists with history is
       * never claimed by an operation, only bound here. Until a target is bound or claimed, the
       * environments list shows no revisions for it, so registering an entity with a release's
       * name never reveals that release's history.
       */
      bindings?: Array<{
        /** Full entity ref, e.g. component:default/payments. */
        entity: string;
        /** Helm release or Rollout name. Default: the entity's name. */
        name?: string;
        /** Default: the environment's namespace. */
        namespace?: string;
      }>;
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
      /** Deployment windows scheduled with stakeholders (issue 15). */
      window?: {
        /** true: deploys (not rollbacks) run only inside an accepted window. Default false. */
        required?: boolean;
        /**
         * Roles (their rco.signoffs.groups) whose acceptance makes a proposed window accepted;
         * the proposer's own acceptance never counts. Default: requiredSignoffs.
         */
        acceptedBy?: Array<'po' | 'dpo' | 'security'>;
      };
      /**
       * How long a release must run here, succeeded and without a failed analysis or rollback,
       * before the next environment of rco.promotion.order may take it, ISO 8601 (issue 15).
       * Default: rco.promotion.soak.
       */
      soak?: string;
      /**
       * Image repository the release digest is appended to (repo@sha256:…); `{name}` stands for
       * the entity's name. Required for the helm driver.
       */
      imageRepository?: string;
    }>;
    /**
     * Promotion between environments (issue 15). A deploy of a release (by digest, else version)
     * to an environment of `order` needs it to have succeeded in the one before, with a green
     * canary analysis and no failed deploy, failed analysis or rollback since, and to have soaked
     * there; a release that failed or was rolled back in an environment is refused there and
     * further down the order. Absent: no promotion rule.
     */
    promotion?: {
      /** Environment names of rco.environments, first to last (e.g. [staging, production]). */
      order?: string[];
      /** How long a release must run in an environment before the next may take it, ISO 8601. Default PT0S. */
      soak?: string;
    };
    /**
     * Freeze periods: deploys (not rollbacks) are refused while one holds, naming it and when
     * deploying resumes; a break-glass override lifts it. Either recurring (rrule, dtstart,
     * duration) or one-off (start, end); local times are in timeZone.
     */
    freezes?: Array<{
      name: string;
      /** RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=SA;BYHOUR=0;BYMINUTE=0;BYSECOND=0. */
      rrule?: string;
      /** First occurrence, local time in timeZone, e.g. 2026-01-03T00:00:00. */
      dtstart?: string;
      /** How long each occurrence lasts, ISO 8601 (P2D), added in local time. */
      duration?: string;
      /** One-off start, local time in timeZone. */
      start?: string;
      /** One-off end (after start), local time in timeZone. */
      end?: string;
      /** IANA time zone, e.g. Europe/Berlin. */
      timeZone: string;
      /** Environments it holds; absent: every environment. */
      environments?: string[];
      /** Entity refs it holds; absent: every entity. */
      entities?: string[];
    }>;
    operations?: {
      /** How long a backend holds an operation without a heartbeat before another adopts it. Default PT30S. */
      leaseDuration?: string;
      /** How often a running operation asks its driver. Default PT2S. */
      pollInterval?: string;
      /** Operations nobody confirms within this are aborted. Default PT1H. */
      confirmationTimeout?: string;
      /**
       * Entity kinds that may request operations, see environments' revisions, record
       * overrides and steer the simulated cluster; compared case-insensitively. Other kinds get
       * 403. Default: [Component].
       */
      entityKinds?: string[];
      /**
       * How long one read of a target's revisions (one `helm history`) is shared by every
       * viewer, ISO 8601. Default PT10S. Preflight and the runner always read fresh.
       */
      historyCacheTtl?: string;
    };
    /** Deployment windows (rco.environments[].window). */
    windows?: {
      /** Longest window an owner may propose, ISO 8601. Default P1D. */
      maxDuration?: string;
    };
    breakGlass?: {
      /** Group whose members may record break-glass overrides. No default: unset, nobody breaks glass and no override counts. */
      group?: string;
      /** Longest override, ISO 8601. Default PT4H. */
      maxDuration?: string;
    };
    /** The simulated driver (local portal and tests only). */
    simulated?: {
      /** Time between canary steps, ISO 8601. Default PT1S. */
      stepDelay?: string;
    };
    /**
     * Release attestations (issue 15, point 4): the key that signs each release's SLSA
     * Verification Summary Attestation (an in-toto statement in a DSSE envelope). Without it no
     * attestation is made (the dossier has none, GET …/releases/attestation answers 404).
     */
    attestation?: {
      /**
       * ECDSA P-256 private key in PEM (PKCS#8 or SEC1), e.g. `${RCO_ATTESTATION_KEY}` or
       * `$file: /secrets/attestation-key.pem`. A key that does not read stops the start.
       * @visibility secret
       */
      privateKey?: string;
      /** Key id written in each signature (`keyid`), so verifiers can pick the key. */
      keyId?: string;
    };
    /** The ledger's checkpoints and verification (ADR 0004). */
    ledger?: {
      /**
       * Key (at least 32 bytes) that authenticates every ledger entry as it is written, signs
       * the chain heads at each checkpoint and the stored verification outcome (HMAC-SHA256), so
       * that someone who can write the database and recompute the hashes is still found. Keep it
       * out of the database and its backups; changing it makes earlier entries fail to verify.
       * Without it (or checkpointKeyFile) nothing is signed, and the backend warns at start.
       * @visibility secret
       */
      checkpointKey?: string;
      /** A file holding the checkpoint key instead (a mounted secret). */
      checkpointKeyFile?: string;
      /** When to verify and checkpoint. Default every 5 minutes, one instance at a time. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Shortest time between two on-demand runs (POST /ledger/verify), ISO 8601. Default PT1M. */
      onDemandInterval?: string;
      /**
       * How often a backend re-hashes every chain from its start instead of from the checkpoints
       * (an entry edited before a checkpoint without recomputing later hashes is found then),
       * ISO 8601. Default P1D.
       */
      fullVerificationInterval?: string;
    };
    /**
     * Sigstore verification by the console (issue 13): uploaded Sigstore bundles are verified
     * offline (no TUF, no network) against this trusted root and the signer identities below.
     * Only a bundle that verifies signs the image; a `cosign verify` report is CI's claim.
     */
    sigstore?: {
      /**
       * A Sigstore TrustedRoot JSON file (Fulcio CAs, Rekor and CT log keys, TSAs), relative to
       * the backend's working directory: for the public-good instance, `trusted_root.json` from
       * its TUF repository (`cosign trusted-root create` or sigstore's root-signing repository).
       */
      trustedRootFile?: string;
      /** The trusted root inline (JSON text or the object) instead of a file. */
      trustedRoot?: any;
      /**
       * Who may sign: an entity's own entries, else the entries without `entity` (the default).
       * Never from the entity's annotations.
       */
      identities?: Array<{
        /** An entity ref (component:default/rco); absent: the default. */
        entity?: string;
        /** The OIDC issuer Fulcio records (https://token.actions.githubusercontent.com). */
        issuer: string;
        /**
         * The certificate subject (SAN), matched whole: a glob (`*` any run of characters within
         * one part, stopping at `/` and `@`; `**` any run across them; `?` one character) or an
         * RE2 regular expression (Go syntax, as cosign's --certificate-identity-regexp) written
         * as `/…/`. An entity's own entries and its own publicKeys replace the defaults together.
         */
        subject: string;
      }>;
      /** Public keys key-based bundles (cosign sign --key) may be signed with. */
      publicKeys?: Array<{
        entity?: string;
        /**
         * The bundle's publicKey.hint that selects the key; absent: tried for any bundle whose
         * hint no configured key has exactly.
         */
        hint?: string;
        /** What the page calls the key (default: the hint, else sha256:<SPKI fingerprint>). */
        name?: string;
        /** PEM (SPKI) public key. */
        pem: string;
      }>;
      /**
       * In-toto predicate types of a DSSE bundle that sign the image (default:
       * https://sigstore.dev/cosign/sign/v1); any other (a SLSA provenance) is verified and shown
       * but signs nothing. Message signatures always sign.
       */
      predicateTypes?: string[];
    };
    /** Stored verdicts (issue 14): each entity's newest release judged ahead of any read. */
    verdicts?: {
      /**
       * Longest a stored verdict is kept without recomputing, even when no evidence ages out
       * (ISO 8601; default PT1H): bounds what a change the console is not told of (an entity's
       * catalog relations) takes to show. Between PT1M and P1D.
       */
      maxValidity?: string;
      /** How often one backend (of all replicas) recomputes the verdicts that time has changed. Default every 15 s. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    /** The Release readiness page (GET /portfolio). */
    portfolio?: {
      /**
       * "Expires soon": a passing gate whose evidence ages out within this horizon (ISO 8601;
       * default P3D), so owners refresh evidence before the gate goes stale.
       */
      expiresSoonHorizon?: string;
    };
    /** Delivery metrics and gate effectiveness (issue 17). */
    metrics?: {
      /**
       * A deploy followed within this (ISO 8601; default P1D), before the service's next deploy,
       * by a rollback, a break-glass override or a failed analysis counts as a failed change.
       */
      failureWindow?: string;
    };
    /** Reviews after production deploys and rollbacks (issue 15). */
    reviews?: {
      /**
       * The environments whose finished deploys and rollbacks are reviewed. Ignored when
       * rco.promotion.order is set: then its last environment is production. Default [production].
       */
      environments?: string[];
    };
    /** Runbook review cadence (metadata.reviewEvery and metadata.lastReviewed of the runbook). */
    runbookReview?: {
      /** true: an overdue review fails documentation-completeness. Default false. */
      enforce?: boolean;
    };
    /** Seed the demo evidence (the embedded local portal only). */
    demoEvidence?: boolean;
    /**
     * The local portal's simulated clusters (issue 13), started with the demo evidence: each
     * serves a folder of YAML (examples/cluster/…) over the Kubernetes list API on a loopback
     * port, for the kubernetes.clusterLocatorMethods entry of the same name. Refused under
     * NODE_ENV=production.
     */
    demoClusters?: Array<{
      /** The name of its entry in kubernetes.clusterLocatorMethods. */
      name: string;
      /** Folder of YAML it serves, relative to the backend's working directory. */
      dir: string;
      /** Loopback port (the entry's url: http://127.0.0.1:<port>). */
      port: number;
      /** Resources answered with 403 Forbidden, as <resource>.<group> (restores.velero.io). */
      forbid?: string[];
    }>;
    /**
     * Folder holding demo-evidence.yaml, relative to the backend's working directory. Required
     * with demoEvidence: the backend does not start without it.
     */
    demoEvidenceDir?: string;
    /**
     * Issue 17: with demoEvidence on, write the examples' generated 90-day history of RCO and RCOT
     * at start, labelled as demo data (default true).
     */
    demoHistory?: boolean;
    /**
     * How often (real time) the local portal keeps its demo evidence current: each run asks
     * what is due at the demo clock's now (Velero's five-minute backups, nightly scans, daily
     * reports). Default: every 30 seconds. Only read when demoEvidence is true.
     */
    demoEvidenceSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
  };
}
