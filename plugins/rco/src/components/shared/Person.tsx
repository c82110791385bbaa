import { parseEntityRef } from '@backstage/catalog-model';
import { EntityDisplayName } from '@backstage/plugin-catalog-react';

/** A catalog ref of a person or group (`user:default/lena.vogel`), or undefined. */
export function personRef(text: string): string | undefined {
  try {
    const ref = parseEntityRef(text);
    const kind = ref.kind.toLowerCase();
    return (kind === 'user' || kind === 'group') && text.includes(':')
      ? `${kind}:${ref.namespace}/${ref.name}`
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who did something, by display name with the ref on hover (the catalog's entity presentation).
 * Anything that is not a person or group ref (a service principal, `rco:operation:…`) is shown
 * as it is.
 */
export function Person(props: { actor?: string }) {
  const ref = props.actor ? personRef(props.actor) : undefined;
  if (!ref) return <>{props.actor ?? 'someone'}</>;
  return <EntityDisplayName entityRef={ref} hideIcon />;
}
