export { SimulatedCluster, statusBody } from './SimulatedCluster';
export type { ApiAnswer, Obj } from './SimulatedCluster';
export { serveSimulatedCluster } from './server';
export type { ServeOptions, SimulatedClusterServer } from './server';
export { loadSimulatedCluster, objectsFromYaml } from './loadObjects';
export { parseResourcePath } from './routes';
export type { ResourceRequest } from './routes';
