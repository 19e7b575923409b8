export { renderReport, type ReportInput } from './render-report.js';
