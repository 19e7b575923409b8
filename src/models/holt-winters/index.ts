export { HoltWinters, holtWinters, holtWintersFromArtifact } from './holt-winters.js';
export type { Forecaster, ForecastFitReport } from './forecaster.js';
export { holtWintersParamsSchema, type HoltWintersParams } from './params.js';
