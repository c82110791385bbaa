/** An entity as the page's URLs name it. */
export interface EntityName {
  kind: string;
  namespace: string;
  name: string;
}

/** Links into the portal's pages, so an agent can hand a person the page to act on. */
export interface PageLinks {
  release(entity: EntityName): string;
  runbookSection(entity: EntityName, sectionId: string): string;
  runbook(entity: EntityName): string;
}

/** The entity's pages under the app's base URL (app.baseUrl); relative when it is not set. */
export function pageLinks(appBaseUrl: string | undefined): PageLinks {
  const base = (appBaseUrl ?? '').replace(/\/+$/, '');
  const entityPage = (e: EntityName) =>
    `${base}/catalog/${encodeURIComponent(e.namespace)}/${encodeURIComponent(
      e.kind.toLocaleLowerCase('en-US'),
    )}/${encodeURIComponent(e.name)}`;
  return {
    release: e => `${entityPage(e)}/release`,
    runbook: e => `${entityPage(e)}/runbook`,
    // The runbook tab's anchors (sectionAnchor in plugins/rco).
    runbookSection: (e, id) =>
      `${entityPage(e)}/runbook#section-${encodeURIComponent(id)}`,
  };
}
