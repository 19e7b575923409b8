export type { DetectorJson, DetectorKind, DetectorState, DriftDetector } from './detector.js';
export { Adwin, adwin, adwinParamsSchema, type AdwinParams } from './adwin.js';
export { PageHinkley, pageHinkley, pageHinkleyParamsSchema, type PageHinkleyParams } from './page-hinkley.js';
export { Ddm, ddm, ddmParamsSchema, type DdmParams } from './ddm.js';
export { createDetector, DETECTOR_KINDS, type DetectorSpec } from './create-detector.js';
export { loadDetector } from './load-detector.js';
