// Renders a MockRouter's trace for people: each call with its arguments and result code,
// each event drained, each support-function call.
import { errorName, protocolIdText, PERMANENT, DEMAND_DIAL, RF_ROUTING, RF_DEMAND_UPDATE_ROUTES, RF_ADD_ALL_INTERFACES, RF_MULTICAST, RF_POWER } from '../constants.js';
import type { TraceEntry, TraceValue } from './router.js';

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const c = (code: number, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const dim = (s: string) => c(2, s);
export const bold = (s: string) => c(1, s);
const green = (s: string) => c(32, s);
const red = (s: string) => c(31, s);
const cyan = (s: string) => c(36, s);

export function flagsName(flags: number): string {
  const names: [number, string][] = [[RF_ROUTING, 'RF_ROUTING'], [RF_DEMAND_UPDATE_ROUTES, 'RF_DEMAND_UPDATE_ROUTES'],
    [RF_ADD_ALL_INTERFACES, 'RF_ADD_ALL_INTERFACES'], [RF_MULTICAST, 'RF_MULTICAST'], [RF_POWER, 'RF_POWER']];
  const set = names.filter(([f]) => flags & f).map(([, n]) => n);
  return set.length ? set.join('|') : '0';
}

const STATUS = ['ADDRESS_CHANGE', 'ENABLED', 'DISABLED', 'MEDIA_PRESENT', 'MEDIA_ABSENT'];

/** One argument, shown with the header's names for its constants. */
function argText(param: string, value: TraceValue): string {
  if (typeof value === 'number') {
    switch (param) {
      case 'dwProtocolId':
      case 'ProtocolId':
        return protocolIdText(value);
      case 'InterfaceType':
        return value === PERMANENT ? 'PERMANENT' : value === DEMAND_DIAL ? 'DEMAND_DIAL' : String(value);
      case 'StatusType':
        return STATUS[value] ? `RIS_INTERFACE_${STATUS[value]}` : String(value);
    }
  }
  if (param === 'InterfaceName' && typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** A call as the header writes it, e.g. `DoUpdateRoutes(InterfaceIndex=7)`. */
export function describeCall(name: string, args: Record<string, TraceValue>): string {
  return `${name}(${Object.entries(args).map(([k, v]) => `${k}=${argText(k, v)}`).join(', ')})`;
}

export function formatTrace(e: TraceEntry): string {
  if (e.kind === 'call') {
    const code = e.code === 0 ? green(errorName(e.code)) : e.code === 907 ? cyan(errorName(e.code)) : red(`${errorName(e.code)} (${e.code})`);
    return `${cyan('→')} ${describeCall(e.name, e.args).padEnd(64)} ${code} ${dim(`${e.ms.toFixed(1)} ms`)}`;
  }
  if (e.kind === 'event') {
    const ev = e.event;
    let detail = '';
    if (ev.updateType !== undefined) {
      const st = ev.updateStatus === 0 ? green(errorName(ev.updateStatus)) : red(`${errorName(ev.updateStatus!)} (${ev.updateStatus})`);
      detail = ` {InterfaceIndex ${ev.interfaceIndex}, UpdateType ${ev.updateType === RF_DEMAND_UPDATE_ROUTES ? 'RF_DEMAND_UPDATE_ROUTES' : ev.updateType}, UpdateStatus ${st}}`;
    } else if (ev.interfaceIndex !== undefined) {
      detail = ` {InterfaceIndex ${ev.interfaceIndex}}`;
    }
    return `${bold('←')} GetEventMessage: ${bold(ev.name)}${detail}`;
  }
  return `${dim('↺')} ${dim(`support ${describeCall(e.name, e.args)} = ${e.result}`)}`;
}
