import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { rcoApiRef } from '../../api/RcoApi';

/**
 * The entity's release channel, from the capabilities (the only place the backend hands it
 * out, after catalog visibility); undefined until known, or when `enabled` is false.
 */
export function useReleaseChannel(
  entityRef: CompoundEntityRef,
  enabled = true,
): string | undefined {
  const api = useApi(rcoApiRef);
  const key = `${entityRef.kind}:${entityRef.namespace}/${entityRef.name}`;
  const caps = useAsync(
    async () => (enabled ? api.getCapabilities(entityRef) : undefined),
    [api, key, enabled],
  );
  return caps.value?.releaseChannel;
}
