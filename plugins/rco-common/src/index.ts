/**
 * Isomorphic types, runbook schema, annotations and the gate and pillar catalogue of the RCO
 * Release Console.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './catalogue';
export * from './runbook/schema';
export * from './runbook/parse';
export * from './runbook/lint';
export * from './api';
export * from './evidence';
export * from './evidenceFormat';
export * from './permissions';
export * from './operations';
export * from './portfolioOrder';
export * from './canarySteps';
export * from './reviews';
export * from './windows';
export * from './dossier';
export * from './road';
export * from './metrics';
