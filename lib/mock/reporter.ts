// Renders a MockRouter's trace for people: each call with its arguments and result code,
// each event drained, each support-function call.
import { errorName, PERMANENT, DEMAND_DIAL, RF_ROUTING, RF_DEMAND_UPDATE_ROUTES, RF_ADD_ALL_INTERFACES, RF_MULTICAST, RF_POWER } from '../constants.js';
import type { TraceEntry } from './router.js';

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

function describeCall(name: string, args: unknown[]): string {
  switch (name) {
    case 'RegisterProtocol': return `RegisterProtocol(0x${Number(args[0]).toString(16)})`;
    case 'StartProtocol': return `StartProtocol(event ${args[0]}, support functions, global info ${args[2]})`;
    case 'AddInterface': return `AddInterface(${args[1]}, "${args[0]}", ${args[2] === PERMANENT ? 'PERMANENT' : args[2] === DEMAND_DIAL ? 'DEMAND_DIAL' : args[2]}, info ${args[6]})`;
    case 'InterfaceStatus': return `InterfaceStatus(${args[0]}, active=${args[1]}, RIS_INTERFACE_${STATUS[Number(args[2])] ?? args[2]})`;
    case 'UpdateRoutes': return `DoUpdateRoutes(${args[0]})`;
    default: return `${name}(${args.map(String).join(', ')})`;
  }
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
  return `${dim('↺')} ${dim(`support ${e.name}(${e.args.map(String).join(', ')}) = ${e.result}`)}`;
}
