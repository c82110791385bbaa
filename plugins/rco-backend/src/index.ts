/**
 * Backend of the RCO Release Console.
 *
 * @packageDocumentation
 */
export { rcoPlugin as default } from './plugin';
