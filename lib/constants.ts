// Constants of routprot.h, rtmv2.h and winerror.h, named as in the headers so that code and
// documentation read the same. Values: docs/reference/rras-protocol-interface.md.
import { InterfaceStatusType, InterfaceType } from './addon/wire.js';

// Error codes (winerror.h, mprerror.h)
export const NO_ERROR = 0;
export const ERROR_INVALID_FUNCTION = 1;
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_INVALID_HANDLE = 6;
export const ERROR_NOT_ENOUGH_MEMORY = 8;
export const ERROR_INVALID_DATA = 13;
export const ERROR_NOT_SUPPORTED = 50;
export const ERROR_INVALID_PARAMETER = 87;
export const ERROR_INSUFFICIENT_BUFFER = 122;
export const ERROR_ALREADY_EXISTS = 183;
export const ERROR_MORE_DATA = 234;
export const ERROR_NO_MORE_ITEMS = 259;
export const ERROR_CAN_NOT_COMPLETE = 1003;
export const ERROR_NOT_FOUND = 1168;
export const ERROR_INVALID_INDEX = 1413;
export const ERROR_ROUTER_STOPPED = 900;
export const ERROR_UNKNOWN_PROTOCOL_ID = 902;
export const ERROR_NO_SUCH_INTERFACE = 905;
export const ERROR_INTERFACE_NOT_CONNECTED = 906;
export const ERROR_PROTOCOL_STOP_PENDING = 907;
export const ERROR_UPDATE_IN_PROGRESS = 911;
export const ERROR_PROTOCOL_ALREADY_INSTALLED = 948;

// MPR_ROUTING_CHARACTERISTICS.fSupportedFunctionality
export const RF_ROUTING = 0x01;
export const RF_ROUTINGV6 = 0x02;
export const RF_DEMAND_UPDATE_ROUTES = 0x04;
export const RF_ADD_ALL_INTERFACES = 0x10;
export const RF_MULTICAST = 0x20;
export const RF_POWER = 0x40;
// MPR_SERVICE_CHARACTERISTICS (stm.h)
export const SERVICES = 0x02;
export const DEMAND_UPDATE_SERVICES = 0x08;

export const MS_ROUTER_VERSION = 0x500;

// ROUTING_PROTOCOL_EVENTS
export const ROUTER_STOPPED = 0;
export const SAVE_GLOBAL_CONFIG_INFO = 1;
export const SAVE_INTERFACE_CONFIG_INFO = 2;
export const UPDATE_COMPLETE = 3;

// NET_INTERFACE_TYPE, and InterfaceStatus's StatusType: both travel on the wire, so their
// numbers come from its catalogue (native/common/schema.h, checked there against the headers).
export const { PERMANENT, DEMAND_DIAL, LOCAL_WORKSTATION_DIAL, REMOTE_WORKSTATION_DIAL } = InterfaceType;
export const {
  RIS_INTERFACE_ADDRESS_CHANGE, RIS_INTERFACE_ENABLED, RIS_INTERFACE_DISABLED, RIS_INTERFACE_MEDIA_PRESENT,
  RIS_INTERFACE_MEDIA_ABSENT,
} = InterfaceStatusType;

// SetInterfaceReceiveType
export const IR_PROMISCUOUS = 0;
export const IR_PROMISCUOUS_MULTICAST = 1;

// Protocol ids (routprot.h PROTOCOL_ID macro and friends)
export const PROTO_TYPE_UCAST = 0;
export const PROTO_TYPE_MCAST = 1;
export const PROTO_TYPE_MS0 = 2;
export const PROTO_TYPE_MS1 = 3;
export const PROTO_VENDOR_MS0 = 0x0000;
export const PROTO_VENDOR_MS1 = 0x137;
export const PROTO_VENDOR_MS2 = 0x3fff;
export const PROTO_IP_LOCAL = 2;
export const PROTO_IP_NETMGMT = 3;
export const PROTO_IP_NT_AUTOSTATIC = 10002;
export const PROTO_IP_NT_STATIC = 10006;
export const PROTO_IP_NT_STATIC_NON_DOD = 10007;
export const IPRTRMGR_PID = 10000;
export const MS_IP_RIP = 8;
export const MS_IP_OSPF = 13;
/** The IP router manager's own InfoTypes start here; protocol ids must stay below it. */
export const IP_GENERAL_INFO_BASE = 0xffff0000;

/** routprot.h PROTOCOL_ID(Type, VendorId, ProtocolId). */
export function PROTOCOL_ID(type: number, vendorId: number, protocolId: number): number {
  return (((type & 3) << 30) | ((vendorId & 0x3fff) << 16) | (protocolId & 0xffff)) >>> 0;
}
export const TYPE_FROM_PROTO_ID = (id: number): number => (id >>> 30) & 3;
export const VENDOR_FROM_PROTO_ID = (id: number): number => (id >>> 16) & 0x3fff;
export const PROTO_FROM_PROTO_ID = (id: number): number => id & 0xffff;

// RTMv2
export const RTM_VIEW_MASK_UCAST = 1;
export const RTM_VIEW_MASK_MCAST = 2;
export const RTM_CHANGE_TYPE_ALL = 1;
export const RTM_CHANGE_TYPE_BEST = 2;
export const RTM_CHANGE_TYPE_FORWARDING = 4;
export const INFINITE = 0xffffffff;

/** Names of the error codes above, for messages. */
export function errorName(code: number): string {
  const names: Record<number, string> = {
    [NO_ERROR]: 'NO_ERROR',
    [ERROR_INVALID_FUNCTION]: 'ERROR_INVALID_FUNCTION',
    [ERROR_ACCESS_DENIED]: 'ERROR_ACCESS_DENIED',
    [ERROR_NOT_SUPPORTED]: 'ERROR_NOT_SUPPORTED',
    [ERROR_INVALID_PARAMETER]: 'ERROR_INVALID_PARAMETER',
    [ERROR_INSUFFICIENT_BUFFER]: 'ERROR_INSUFFICIENT_BUFFER',
    [ERROR_NO_MORE_ITEMS]: 'ERROR_NO_MORE_ITEMS',
    [ERROR_CAN_NOT_COMPLETE]: 'ERROR_CAN_NOT_COMPLETE',
    [ERROR_NOT_FOUND]: 'ERROR_NOT_FOUND',
    [ERROR_PROTOCOL_STOP_PENDING]: 'ERROR_PROTOCOL_STOP_PENDING',
    [ERROR_ALREADY_EXISTS]: 'ERROR_ALREADY_EXISTS',
  };
  return names[code] ?? `error ${code}`;
}

export function eventName(event: number): string {
  return ['ROUTER_STOPPED', 'SAVE_GLOBAL_CONFIG_INFO', 'SAVE_INTERFACE_CONFIG_INFO', 'UPDATE_COMPLETE'][event] ?? `event ${event}`;
}

/**
 * A protocol id as every message of this package prints it: hex (the PROTOCOL_ID fields show)
 * with the decimal RRAS's own tools use, e.g. `0x2B1D0001 (723320833)`.
 */
export function protocolIdText(id: number): string {
  const n = id >>> 0;
  return `0x${n.toString(16).toUpperCase().padStart(8, '0')} (${n})`;
}
