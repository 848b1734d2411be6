// advapi32's registry functions through koffi, shared by the installer and the mock router's
// Windows configuration. HKEY travels as intptr_t (predefined keys are sign-extended 32-bit
// values); out-parameters are one-element arrays or Buffers.
import koffi, { type KoffiFunction } from '../koffi.js';

export const HKEY_CURRENT_USER = -0x7fffffff; // 0x80000001
export const HKEY_LOCAL_MACHINE = -0x7ffffffe; // 0x80000002

export interface Advapi32 {
  RegCreateKeyExW: KoffiFunction;
  RegOpenKeyExW: KoffiFunction;
  RegSetValueExW: KoffiFunction;
  RegQueryValueExW: KoffiFunction;
  RegDeleteValueW: KoffiFunction;
  RegEnumKeyExW: KoffiFunction;
  RegEnumValueW: KoffiFunction;
  RegDeleteTreeW: KoffiFunction;
  RegCloseKey: KoffiFunction;
}
let advapi: Advapi32 | undefined;

export function advapi32(): Advapi32 {
  if (advapi) return advapi;
  const lib = koffi.load('advapi32.dll');
  advapi = {
    RegCreateKeyExW: lib.func('int32_t __stdcall RegCreateKeyExW(intptr_t hKey, const char16_t *lpSubKey, uint32_t Reserved, void *lpClass, uint32_t dwOptions, uint32_t samDesired, void *lpSecurityAttributes, _Out_ int64_t *phkResult, _Out_ uint32_t *lpdwDisposition)'),
    RegOpenKeyExW: lib.func('int32_t __stdcall RegOpenKeyExW(intptr_t hKey, const char16_t *lpSubKey, uint32_t ulOptions, uint32_t samDesired, _Out_ int64_t *phkResult)'),
    RegSetValueExW: lib.func('int32_t __stdcall RegSetValueExW(intptr_t hKey, const char16_t *lpValueName, uint32_t Reserved, uint32_t dwType, const uint8_t *lpData, uint32_t cbData)'),
    RegQueryValueExW: lib.func('int32_t __stdcall RegQueryValueExW(intptr_t hKey, const char16_t *lpValueName, void *lpReserved, _Out_ uint32_t *lpType, _Out_ uint8_t *lpData, _Inout_ uint32_t *lpcbData)'),
    RegDeleteValueW: lib.func('int32_t __stdcall RegDeleteValueW(intptr_t hKey, const char16_t *lpValueName)'),
    RegEnumKeyExW: lib.func('int32_t __stdcall RegEnumKeyExW(intptr_t hKey, uint32_t dwIndex, _Out_ uint8_t *lpName, _Inout_ uint32_t *lpcchName, void *lpReserved, void *lpClass, void *lpcchClass, void *lpftLastWriteTime)'),
    RegEnumValueW: lib.func('int32_t __stdcall RegEnumValueW(intptr_t hKey, uint32_t dwIndex, _Out_ uint8_t *lpValueName, _Inout_ uint32_t *lpcchValueName, void *lpReserved, void *lpType, void *lpData, void *lpcbData)'),
    RegDeleteTreeW: lib.func('int32_t __stdcall RegDeleteTreeW(intptr_t hKey, const char16_t *lpSubKey)'),
    RegCloseKey: lib.func('int32_t __stdcall RegCloseKey(intptr_t hKey)'),
  };
  return advapi;
}
