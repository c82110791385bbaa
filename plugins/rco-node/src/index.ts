/**
 * Extension points of the RCO Release Console backend: modules add deploy drivers here; a
 * portal's own permission policy takes the rco decisions from rcoPolicyDecision.
 *
 * @packageDocumentation
 */
export * from './drivers';
export * from './extensions';
export * from './policy';
