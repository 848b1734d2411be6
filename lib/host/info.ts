// What the host tells the protocol module it loads: which protocol id it serves. Lets one
// module serve several configured ids (protocolId: hostInfo()?.protocolId ?? DEFAULT).
export interface HostInfo {
  protocolId: number;
  name: string;
  generation: number;
}

let current: HostInfo | undefined;

/** Set by the host before it imports the protocol module. */
export function setHostInfo(info: HostInfo): void {
  current = Object.freeze({ ...info });
}

/** The host's identity when running inside a protocol host; undefined elsewhere. */
export function hostInfo(): HostInfo | undefined {
  return current;
}
