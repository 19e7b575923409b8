export { Gbdt, gbdt, gbdtFromArtifact, type GbdtFitReport } from './gbdt.js';
export type { GbdtState, Forest } from './forest.js';
export { gbdtParamsSchema, parseGbdtParams, type GbdtParams, type GbdtParamsInput } from './params.js';
