// Renders installer plans and results for people (--dry-run, the progress of a real run) and
// as JSON (--json). The text names every key, value (type and data) and info-block change, so
// an administrator can review or reproduce a plan by hand.
import type { ApplyResult } from './apply-win32.js';
import type { BlockSpec } from './globalInfo.js';
import { PID_IPV6, type Plan, type RegistryValue, type Step } from './plan.js';
import { hex32 } from './validate.js';

export function formatValue(v: RegistryValue): string {
  switch (v.type) {
    case 'REG_DWORD':
      return `REG_DWORD ${hex32(v.data)} (${v.data})`;
    case 'REG_MULTI_SZ':
      return `REG_MULTI_SZ ${v.data.map((s) => JSON.stringify(s)).join(' ')}`;
    case 'RAW':
      return `type ${v.regType} ${v.data}`;
    default:
      return `${v.type} ${JSON.stringify(v.data)}`;
  }
}

const MODES: Record<BlockSpec['mode'], string> = {
  replace: 'replaces any existing block',
  'keep-compatible': 'an existing block of the same InfoSize and Count is kept',
  'keep-any': 'an existing block is kept',
};

function stepLines(step: Step, protocolId: number | null): string[] {
  switch (step.kind) {
    case 'check':
      return [`check       ${step.title}`];
    case 'copy-file':
      return [`copy-file   ${step.from}`, `            -> %SystemRoot%\\System32\\${step.file}`];
    case 'create-key':
      return [`create-key  ${step.key}`];
    case 'set-value':
      return [`set-value   ${step.key}\\${step.name} = ${formatValue(step.value)}${step.onlyIfAbsent ? '  (only if absent)' : ''}`];
    case 'delete-key':
      return [`delete-key  ${step.key}  (with its values and subkeys)`];
    case 'delete-file':
      return [`delete-file %SystemRoot%\\System32\\${step.file}  (if present)`];
    case 'ip-global-info': {
      const where = step.store === 'config'
        ? 'router configuration: MprConfigServerConnect, MprConfigTransportGetHandle, MprConfigTransportGetInfo / SetInfo'
        : 'running router: MprAdminIsServiceRunning, MprAdminServerConnect, MprAdminTransportGetInfo / SetInfo (skipped if not running)';
      const id = protocolId === null ? 'the id read from the key' : hex32(protocolId);
      const head = `ip-global-info ${step.transportId === PID_IPV6 ? 'PID_IPV6' : 'PID_IP'} (0x${step.transportId.toString(16)}), ${where}`;
      if (step.change.action === 'remove') return [head, `            remove the TOC entry of ${id} and its IP_PROT_PRIORITY_INFO metric, keep every other entry`];
      const b = step.change.block;
      const lines = [
        head,
        `            add/replace TOC entry InfoType ${id}, InfoSize ${b.infoSize}, Count ${b.count} (${MODES[b.mode]})`,
        `            data ${b.data.replace(/(.{64})/g, '$1\n                 ').trimEnd()}`,
      ];
      if (step.change.priority !== undefined) lines.push(`            IP_PROT_PRIORITY_INFO: PROTOCOL_METRIC {${id}, ${step.change.priority}} (only into an existing block)`);
      return lines;
    }
  }
}

/** The plan as text: one numbered entry per step, then the notes and the [U] items. */
export function formatPlan(plan: Plan, opts: { dryRun?: boolean } = {}): string {
  const id = plan.protocolId === null ? 'protocol id from the registry' : `protocol ${hex32(plan.protocolId)} (${plan.protocolId})`;
  const out = [`${plan.action} ${plan.name}, ${id}${opts.dryRun ? ': dry run, nothing is changed' : ''}`];
  const width = String(plan.steps.length).length;
  plan.steps.forEach((step, i) => {
    const [first, ...rest] = stepLines(step, plan.protocolId);
    out.push(`${String(i + 1).padStart(width + 2)}. ${first}`);
    for (const l of rest) out.push(`${' '.repeat(width + 4)}${l}`);
  });
  const unverified = plan.steps.flatMap((s, i) => (s.unverified ? [`step ${i + 1}: ${s.unverified}`] : []));
  if (plan.notes.length) out.push('notes:', ...plan.notes.map((n) => `  - ${n}`));
  if (unverified.length) out.push('[U] unverified on a real RRAS server:', ...unverified.map((n) => `  - ${n}`));
  return out.join('\n') + '\n';
}

export function planToJson(plan: Plan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

export function formatResult(r: ApplyResult): string {
  const width = String(r.results.length).length;
  const lines = r.results.map((s) => `${String(s.step).padStart(width + 2)}. ${s.outcome.padEnd(9)} ${s.title}: ${s.detail}`);
  return [...lines, r.summary].join('\n') + '\n';
}

export function resultToJson(r: ApplyResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}
