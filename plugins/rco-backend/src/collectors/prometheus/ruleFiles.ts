import { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { minimatch } from 'minimatch';

/**
 * Which of Prometheus's rule files may speak for a place. Labels alone do not bind a rule to a
 * service: on a shared Prometheus every tenant whose PrometheusRules the operator loads can label
 * its own rules `service: rco`, and a never-firing copy of rco's alerts would otherwise stand in
 * for rco's broken or missing ones. The rule file is what the tenant cannot choose: the operator
 * writes each PrometheusRule to `<namespace>-<name>-<uid>.yaml` in a `prometheus-<name>-rulefiles-<n>`
 * directory, and files outside such directories come from the platform's own `rule_files`.
 */

/** Templates filled per place, as in alertLabels. */
const vars = (place: CollectionPlace): Record<string, string> => ({
  name: place.name,
  namespace: place.namespace,
  entityNamespace: place.entityNamespace,
  environment: place.environment,
});

/** A glob's `{var}` filled in, the value's own glob characters escaped so it matches itself only. */
export function fillGlob(template: string, place: CollectionPlace): string {
  const values = vars(place);
  return template.replace(/\{(\w+)\}/g, (whole, v) =>
    Object.hasOwn(values, v)
      ? values[v].replace(/[*?[\]{}()!+@\\]/g, c => `\\${c}`)
      : whole,
  );
}

/**
 * An operator's rule file directory: the prometheus-operator's `prometheus-<name>-rulefiles-<n>`,
 * its ThanosRuler's `thanos-ruler-<name>-rulefiles-<n>`, VictoriaMetrics' `vm-<name>-rulefiles-<n>`.
 */
const OPERATOR_DIR = /(^|\/)[^/]+-rulefiles-\d+\//;

export type RuleFileCheck = (file: string) => boolean;

/**
 * The check for one place. With `ruleFiles` configured, a rule counts only from a file one of the
 * globs (filled for the place) matches. Without, a file the operator wrote counts only when it is
 * named after the place's namespace (`<namespace>-…`); other files are the platform's and count.
 * A rule whose group names no file (an old Prometheus) counts only without `ruleFiles`.
 */
export function ruleFileCheck(
  ruleFiles: string[] | undefined,
  place: CollectionPlace,
): RuleFileCheck {
  if (ruleFiles?.length) {
    const globs = ruleFiles.map(g => fillGlob(g, place));
    return file => !!file && globs.some(g => minimatch(file, g, { dot: true }));
  }
  const prefix = `${place.namespace}-`;
  return file => {
    if (!OPERATOR_DIR.test(file)) return true;
    const base = file.slice(file.lastIndexOf('/') + 1);
    return base.startsWith(prefix);
  };
}
