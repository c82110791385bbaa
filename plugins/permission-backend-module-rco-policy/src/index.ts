/**
 * A complete permission policy for a portal that has none of its own: the RCO Release Console
 * decisions first, everything else allowed. A portal with its own policy calls
 * `rcoPolicyDecision` from `@helix-portal/plugin-rco-node` in it instead.
 *
 * @packageDocumentation
 */
export { RcoPermissionPolicy } from './RcoPermissionPolicy';
export { permissionModuleRcoPolicy as default } from './module';
