// koffi declarations of routprot.h, shaped as the router manager sees them. Types are
// declared once per process (koffi type names are global).
//
// Handles the router manager passes (the notification event) are declared intptr_t: on
// POSIX the "HANDLE" is an eventfd number carried in the pointer value (DESIGN §4); on
// Windows it is a real HANDLE whose value koffi hands us as a number. Pointers to buffers
// the router manager owns are passed as Buffers (or null).
import koffi, { type TypeObject } from '../koffi.js';

const PFN_NAMES = [
  'pfnStartProtocol', 'pfnStartComplete', 'pfnStopProtocol', 'pfnGetGlobalInfo', 'pfnSetGlobalInfo',
  'pfnQueryPower', 'pfnSetPower', 'pfnAddInterface', 'pfnDeleteInterface', 'pfnInterfaceStatus',
  'pfnGetInterfaceInfo', 'pfnSetInterfaceInfo', 'pfnGetEventMessage', 'pfnUpdateRoutes',
  'pfnConnectClient', 'pfnDisconnectClient', 'pfnGetNeighbors', 'pfnGetMfeStatus', 'pfnMibCreateEntry',
  'pfnMibDeleteEntry', 'pfnMibGetEntry', 'pfnMibSetEntry', 'pfnMibGetFirstEntry', 'pfnMibGetNextEntry',
  'pfnMibSetTrapInfo', 'pfnMibGetTrapInfo',
] as const;
export type EntryPointName = (typeof PFN_NAMES)[number];

const routingFields: Record<string, string> = { dwVersion: 'uint32_t', dwProtocolId: 'uint32_t', fSupportedFunctionality: 'uint32_t' };
for (const n of PFN_NAMES) routingFields[n] = 'void *';
export const MPR_ROUTING_CHARACTERISTICS = koffi.struct('MPR_ROUTING_CHARACTERISTICS', routingFields);

const serviceFields: Record<string, string> = { dwVersion: 'uint32_t', dwProtocolId: 'uint32_t', fSupportedFunctionality: 'uint32_t' };
for (let i = 0; i < 13; i++) serviceFields[`pfn${i}`] = 'void *';
export const MPR_SERVICE_CHARACTERISTICS = koffi.struct('MPR_SERVICE_CHARACTERISTICS', serviceFields);

// SUPPORT_FUNCTIONS: callbacks the router manager offers the protocol.
export const DemandDialRequest = koffi.proto('uint32_t __stdcall DemandDialRequest(uint32_t ProtocolId, uint32_t InterfaceIndex)');
export const SetInterfaceReceiveType = koffi.proto('uint32_t __stdcall SetInterfaceReceiveType(uint32_t ProtocolId, uint32_t InterfaceIndex, uint32_t InterfaceReceiveType, int32_t bActivate)');
export const ValidateRoute = koffi.proto('uint32_t __stdcall ValidateRoute(uint32_t ProtocolId, void *RouteInfo, void *DestAddress)');
export const MIBEntryIn = koffi.proto('uint32_t __stdcall MIBEntryIn(uint32_t dwRoutingPid, uint32_t dwEntrySize, void *lpEntry)');
export const MIBEntryInOut = koffi.proto('uint32_t __stdcall MIBEntryInOut(uint32_t dwRoutingPid, uint32_t dwInEntrySize, void *lpInEntry, uint32_t *lpOutEntrySize, void *lpOutEntry)');
export const GetRouterId = koffi.proto('uint32_t __stdcall GetRouterId(void)');
export const HasMulticastBoundary = koffi.proto('int32_t __stdcall HasMulticastBoundary(uint32_t dwIfIndex, uint32_t dwGroupAddress)');
const supportFunctions50 = {
  dwVersion: 'uint32_t',
  dwReserved: 'uint32_t',
  DemandDialRequest: koffi.pointer(DemandDialRequest),
  SetInterfaceReceiveType: koffi.pointer(SetInterfaceReceiveType),
  ValidateRoute: koffi.pointer(ValidateRoute),
  MIBEntryCreate: koffi.pointer(MIBEntryIn),
  MIBEntryDelete: koffi.pointer(MIBEntryIn),
  MIBEntrySet: koffi.pointer(MIBEntryIn),
  MIBEntryGet: koffi.pointer(MIBEntryInOut),
  MIBEntryGetFirst: koffi.pointer(MIBEntryInOut),
  MIBEntryGetNext: koffi.pointer(MIBEntryInOut),
  GetRouterId: koffi.pointer(GetRouterId),
  HasMulticastBoundary: koffi.pointer(HasMulticastBoundary),
};
export const SUPPORT_FUNCTIONS = koffi.struct('SUPPORT_FUNCTIONS', supportFunctions50);
// The Windows SDK's SUPPORT_FUNCTIONS_60 (MPR60) appends three (reference §3.5).
export const ValidateRouteEx = koffi.proto('uint32_t __stdcall ValidateRouteEx(uint32_t dwProtocolId, uint32_t dwSubProtocolId, uint32_t dwTransportId, void *pRouteInfo, void *pRoutingDomainId, void *pDestAddress)');
export const GetRoutingDomainInfo = koffi.proto('uint32_t __stdcall GetRoutingDomainInfo(void *pRoutingDomainId, uint32_t dwRevision, uint32_t dwBufSize, void *pBuffer)');
export const GetInterfaceInformation = koffi.proto('uint32_t __stdcall GetInterfaceInformation(uint32_t dwInterfaceIndex, uint32_t dwTransportId, uint32_t dwRevision, uint32_t dwBufSize, void *pBuffer)');
export const SUPPORT_FUNCTIONS_60 = koffi.struct('SUPPORT_FUNCTIONS_60', {
  ...supportFunctions50,
  ValidateRouteEx: koffi.pointer(ValidateRouteEx),
  GetRoutingDomainInfo: koffi.pointer(GetRoutingDomainInfo),
  GetInterfaceInformation: koffi.pointer(GetInterfaceInformation),
});

export const RegisterProtocolFn = 'uint32_t __stdcall RegisterProtocol(_Inout_ MPR_ROUTING_CHARACTERISTICS *pRoutingChar, _Inout_ MPR_SERVICE_CHARACTERISTICS *pServiceChar)';

// Entry points, as the router manager calls them.
export const protos = {
  pfnStartProtocol: koffi.proto('uint32_t __stdcall StartProtocol(intptr_t NotificationEvent, SUPPORT_FUNCTIONS *SupportFunctions, void *GlobalInfo, uint32_t StructureVersion, uint32_t StructureSize, uint32_t StructureCount)'),
  pfnStartComplete: koffi.proto('uint32_t __stdcall StartComplete(void)'),
  pfnStopProtocol: koffi.proto('uint32_t __stdcall StopProtocol(void)'),
  pfnGetGlobalInfo: koffi.proto('uint32_t __stdcall GetGlobalInfo(void *GlobalInfo, void *BufferSize, void *StructureVersion, void *StructureSize, void *StructureCount)'),
  pfnSetGlobalInfo: koffi.proto('uint32_t __stdcall SetGlobalInfo(void *GlobalInfo, uint32_t StructureVersion, uint32_t StructureSize, uint32_t StructureCount)'),
  pfnQueryPower: koffi.proto('uint32_t __stdcall QueryPower(uint32_t PowerType)'),
  pfnSetPower: koffi.proto('uint32_t __stdcall SetPower(uint32_t PowerType)'),
  pfnAddInterface: koffi.proto('uint32_t __stdcall AddInterface(const char16_t *InterfaceName, uint32_t InterfaceIndex, uint32_t InterfaceType, uint32_t MediaType, uint16_t AccessType, uint16_t ConnectionType, void *InterfaceInfo, uint32_t StructureVersion, uint32_t StructureSize, uint32_t StructureCount)'),
  pfnDeleteInterface: koffi.proto('uint32_t __stdcall DeleteInterface(uint32_t InterfaceIndex)'),
  pfnInterfaceStatus: koffi.proto('uint32_t __stdcall InterfaceStatus(uint32_t InterfaceIndex, int32_t InterfaceActive, uint32_t StatusType, void *StatusInfo)'),
  pfnGetInterfaceInfo: koffi.proto('uint32_t __stdcall GetInterfaceInfo(uint32_t InterfaceIndex, void *InterfaceInfo, void *BufferSize, void *StructureVersion, void *StructureSize, void *StructureCount)'),
  pfnSetInterfaceInfo: koffi.proto('uint32_t __stdcall SetInterfaceInfo(uint32_t InterfaceIndex, void *InterfaceInfo, uint32_t StructureVersion, uint32_t StructureSize, uint32_t StructureCount)'),
  pfnGetEventMessage: koffi.proto('uint32_t __stdcall GetEventMessage(void *Event, void *Result)'),
  pfnUpdateRoutes: koffi.proto('uint32_t __stdcall DoUpdateRoutes(uint32_t InterfaceIndex)'),
  pfnConnectClient: koffi.proto('uint32_t __stdcall ConnectClient(uint32_t InterfaceIndex, void *ClientAddress)'),
  pfnDisconnectClient: koffi.proto('uint32_t __stdcall DisconnectClient(uint32_t InterfaceIndex, void *ClientAddress)'),
  pfnGetNeighbors: koffi.proto('uint32_t __stdcall GetNeighbors(uint32_t InterfaceIndex, void *NeighborList, void *NeighborListSize, void *InterfaceFlags)'),
  pfnGetMfeStatus: koffi.proto('uint32_t __stdcall GetMfeStatus(uint32_t InterfaceIndex, uint32_t GroupAddress, uint32_t SourceAddress, void *StatusCode)'),
  pfnMibCreateEntry: koffi.proto('uint32_t __stdcall MibCreateEntry(uint32_t InputDataSize, void *InputData)'),
  pfnMibDeleteEntry: koffi.proto('uint32_t __stdcall MibDeleteEntry(uint32_t InputDataSize, void *InputData)'),
  pfnMibGetEntry: koffi.proto('uint32_t __stdcall MibGetEntry(uint32_t InputDataSize, void *InputData, void *OutputDataSize, void *OutputData)'),
  pfnMibSetEntry: koffi.proto('uint32_t __stdcall MibSetEntry(uint32_t InputDataSize, void *InputData)'),
  pfnMibGetFirstEntry: koffi.proto('uint32_t __stdcall MibGetFirstEntry(uint32_t InputDataSize, void *InputData, void *OutputDataSize, void *OutputData)'),
  pfnMibGetNextEntry: koffi.proto('uint32_t __stdcall MibGetNextEntry(uint32_t InputDataSize, void *InputData, void *OutputDataSize, void *OutputData)'),
  pfnMibSetTrapInfo: koffi.proto('uint32_t __stdcall MibSetTrapInfo(intptr_t Event, uint32_t InputDataSize, void *InputData, void *OutputDataSize, void *OutputData)'),
  pfnMibGetTrapInfo: koffi.proto('uint32_t __stdcall MibGetTrapInfo(uint32_t InputDataSize, void *InputData, void *OutputDataSize, void *OutputData)'),
} satisfies Record<EntryPointName, TypeObject>;

export { PFN_NAMES };
