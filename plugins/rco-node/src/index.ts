/**
 * Extension points of the RCO Release Console backend: modules add deploy drivers and evidence collectors here; a
 * portal's own permission policy takes the rco decisions from rcoPolicyDecision.
 *
 * @packageDocumentation
 */
export * from './collectors';
export * from './drivers';
export * from './extensions';
export * from './policy';
