import { CompoundEntityRef } from '@backstage/catalog-model';
import { ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { RcoApi } from '../../api/RcoApi';
import { useKept } from '../live';

/** Which release, in which environment, a status read judged (or the page wants judged). */
export type Judgement = {
  version?: string;
  digest?: string;
  environment?: string;
};

/** The read judges what the page wants: a read of "the newest" matches any release. */
export function sameJudgement(shown: Judgement, wanted: Judgement): boolean {
  return (
    (!wanted.version || shown.version === wanted.version) &&
    (!wanted.digest || shown.digest === wanted.digest) &&
    shown.environment === wanted.environment
  );
}

/**
 * The Release tab's reads: the releases, the status of the chosen release, the capabilities,
 * the overrides and the sign-offs. Each keeps its last good value, so a failed background
 * re-read (a poll, a nudge) leaves the page and its open dialogs on screen. The release first
 * shown is written into the URL with its environment, so later re-reads judge that same release
 * (never a newer build CI uploaded meanwhile) until the person picks another.
 */
export function useReleaseReads(api: RcoApi, entityRef: CompoundEntityRef) {
  const [params, setParams] = useSearchParams();
  const key = `${entityRef.kind}:${entityRef.namespace}/${entityRef.name}`;
  const chosen = {
    version: params.get('version') ?? undefined,
    digest: params.get('digest') ?? undefined,
    environment: params.get('environment') ?? undefined,
  };

  const releasesRead = useAsyncRetry(
    () => api.listReleases(entityRef),
    [api, key],
  );
  const releases = useKept(releasesRead, key);
  const capabilitiesRead = useAsyncRetry(
    () => api.getCapabilities(entityRef),
    [api, key],
  );
  // A failed re-read keeps the capabilities (and with them the channel subscription).
  const capabilities = useKept(capabilitiesRead, key);
  // The page always judges a named environment when the portal knows any: the one in the URL,
  // or the first listed (then put in the URL, so the link shared says what it judged).
  const environment =
    chosen.environment ?? releases.value?.environments[0] ?? undefined;
  const knowsEnvironment =
    chosen.environment !== undefined || releases.value !== undefined;
  const wanted: Judgement = { ...chosen, environment };
  // Pinning the release just shown into the URL asks nothing new: no second read for it.
  const pinned = useRef<{ key: string; as: string }>();
  const askKey = `${chosen.version ?? ''}|${chosen.digest ?? ''}|${
    environment ?? ''
  }`;
  const readKey = pinned.current?.key === askKey ? pinned.current.as : askKey;
  const statusRead = useAsyncRetry(
    async (): Promise<
      { asked: Judgement; response: ReleaseStatusResponse } | undefined
    > =>
      knowsEnvironment
        ? {
            asked: wanted,
            response: await api.getStatus(entityRef, {
              ...chosen,
              environment,
            }),
          }
        : undefined,
    // readKey stands for version, digest and environment (see `pinned`).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key, readKey, knowsEnvironment],
  );
  const status = useKept(statusRead, key);
  const shown = status.value;
  const judged: Judgement | undefined = shown && {
    version: shown.asked.version ?? shown.response.release.version,
    digest: shown.asked.digest ?? shown.response.release.digest,
    environment: shown.asked.environment,
  };
  // Deploy waits only while the page judges something other than what is on screen (the
  // person picked another environment or release), never for a background re-read.
  const evaluating = !!judged && !sameJudgement(judged, wanted);

  // The environment, and the release the first read judged, go into the URL (replace: no
  // history entry). Only a read made for the URL as it stands counts: after "Show the newest"
  // the old read is still on screen until the new one arrives.
  const fresh = statusRead.value;
  useEffect(() => {
    const next = new URLSearchParams(params);
    let changed = false;
    if (!chosen.environment && environment) {
      next.set('environment', environment);
      changed = true;
    }
    if (
      !chosen.version &&
      !chosen.digest &&
      fresh &&
      !statusRead.loading &&
      !fresh.asked.version &&
      !fresh.asked.digest &&
      fresh.asked.environment === environment
    ) {
      const { version, digest } = fresh.response.release;
      if (version) next.set('version', version);
      if (digest) next.set('digest', digest);
      pinned.current = {
        key: `${version ?? ''}|${digest ?? ''}|${environment ?? ''}`,
        as: `||${environment ?? ''}`,
      };
      changed = changed || !!version || !!digest;
    }
    if (changed) setParams(next, { replace: true });
  }, [
    chosen.environment,
    chosen.version,
    chosen.digest,
    environment,
    fresh,
    statusRead.loading,
    params,
    setParams,
  ]);

  // A release the URL names that no evidence names: said so, not shown as if it existed. The
  // list is read once more first (it may predate the evidence of the release just shown).
  const named = !!(chosen.version || chosen.digest);
  const listed = releases.value?.items.some(
    r =>
      (!chosen.version || r.version === chosen.version) &&
      (!chosen.digest || r.digest === chosen.digest),
  );
  // (No evidence at all is said by the page's "No evidence yet".)
  const unlisted = named && !!releases.value?.items.length && !listed;
  const namedKey = `${chosen.version ?? ''}|${chosen.digest ?? ''}`;
  const [recheckedFor, setRecheckedFor] = useState<string>();
  const retryReleases = releasesRead.retry;
  useEffect(() => {
    if (unlisted && recheckedFor !== namedKey) {
      setRecheckedFor(namedKey);
      retryReleases();
    }
  }, [unlisted, recheckedFor, namedKey, retryReleases]);
  const notFound =
    unlisted && recheckedFor === namedKey && !releasesRead.loading;

  const release = shown?.response.release ?? {};
  // Re-read with every evaluation: an override granted in Deploy shows in the header.
  const overrides = useKept(
    useAsync(
      async () => (api.listOverrides ? api.listOverrides(entityRef) : []),
      [api, key, shown?.response.evaluatedAt],
    ),
    key,
  );
  const releaseKey = `${release.version ?? ''}|${release.digest ?? ''}`;
  const signoffsRead = useAsyncRetry(
    async () =>
      release.version && release.digest
        ? // Sign-offs bind to version and digest; the status's release also names the
          // environment and the requester, which the sign-off list does not take.
          api.listSignoffs(entityRef, {
            version: release.version,
            digest: release.digest,
          })
        : [],
    [api, key, release.version, release.digest],
  );
  const signoffs = useKept(signoffsRead, `${key}|${releaseKey}`);

  // Each background re-read also tells the deploy side to re-read its lists.
  const [rereads, setRereads] = useState(0);
  const capabilitiesFailed = useRef(false);
  capabilitiesFailed.current = !capabilitiesRead.value;
  const rereadAll = () => {
    releasesRead.retry();
    statusRead.retry();
    signoffsRead.retry();
    // Failed once: read again, or the owner is told they may not act and nothing goes live.
    if (capabilitiesFailed.current && !capabilitiesRead.loading) {
      capabilitiesRead.retry();
    }
    setRereads(n => n + 1);
  };
  // Nothing ever read: the full error panel. Read before: a note over the page as it was.
  const error = releasesRead.error ?? statusRead.error;
  const everRead = !!releases.value && !!shown;

  return {
    params,
    setParams,
    chosen,
    environment,
    releases,
    capabilities,
    status,
    current: shown?.response,
    release,
    evaluating,
    notFound,
    overrides,
    signoffs,
    rereadAll,
    rereads,
    busy: releasesRead.loading || statusRead.loading || signoffsRead.loading,
    /** A read failed: with `everRead`, shown as a note; without, as the error panel. */
    error,
    everRead,
    /** When the status on screen was read. */
    readAt: status.at,
  };
}
