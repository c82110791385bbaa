/**
 * The rco command-line tool for CI pipelines.
 *
 * @packageDocumentation
 */
export {};
