// The installer: plans (any OS), their rendering, and their execution on Windows.
export * from './plan.js';
export * from './validate.js';
export * from './globalInfo.js';
export * from './format.js';
export * from './backends.js';
export { applyPlan, routerManagersIpKey, ApplyError, ConflictError, type ApplyOptions, type ApplyResult, type StepResult, type Outcome } from './apply-win32.js';
