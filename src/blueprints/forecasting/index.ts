export { runForecastingBlueprint, SCALES, JOB_NAME, JOB_SCHEDULE, type ForecastingOptions } from './run.js';
export { formatForecastingReport, type ForecastingReport, type Comparison, type JobRunSummary } from './report.js';
export type { Accuracy } from './metrics.js';
export type { ForecastRunResult } from './forecast-job.js';
export { generateSales, CATEGORIES, HOLIDAYS, type Sales, type SalesOptions, type StorePlan } from './sales.js';
export { forecastingProject, sales, storeCategory, dailySales } from './project.js';
