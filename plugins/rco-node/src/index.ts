/**
 * Extension points of the RCO Release Console backend: modules add deploy drivers here.
 *
 * @packageDocumentation
 */
export * from './drivers';
export * from './extensions';
