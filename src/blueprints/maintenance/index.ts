export { runMaintenanceBlueprint, type MaintenanceOptions, type MaintenanceReport, type MaintenanceScale, type ThresholdRule } from './run.js';
export { formatMaintenanceReport } from './format.js';
export { generateTelemetry, FAULT_KINDS, type Fault, type FaultKind, type Reading, type RegimeChange, type Sensor, type Telemetry, type TelemetryOptions } from './telemetry.js';
export { maintenanceProject, telemetry, machine, machineStats, readingDeltas } from './project.js';
export { SUBSYSTEMS, MODEL_FEATURES, RAW_SENSORS, type DetectorName, type Subsystem } from './detectors.js';
export type { Alert } from './alerts.js';
export type { DetectorReport, FaultOutcome, KindSummary, RegimeChangeOutcome } from './evaluate.js';
