// The host's view of the router manager's interfaces, kept from the calls the library forwards.
import type { AddressFamily, BindingOf, Interface, InterfaceType } from '../api/types.js';
import { ProtocolError } from '../api/errors.js';
import { DEMAND_DIAL, ERROR_INVALID_PARAMETER, LOCAL_WORKSTATION_DIAL, PERMANENT, REMOTE_WORKSTATION_DIAL } from '../constants.js';

const TYPES = new Map<number, InterfaceType>([
  [PERMANENT, 'permanent'], [DEMAND_DIAL, 'demandDial'], [LOCAL_WORKSTATION_DIAL, 'localWorkstationDial'],
  [REMOTE_WORKSTATION_DIAL, 'remoteWorkstationDial'],
]);

/** The NET_INTERFACE_TYPE; any other value is refused (the library refuses it first). */
export function interfaceType(code: number): InterfaceType {
  const type = TYPES.get(code);
  if (type === undefined) {
    throw new ProtocolError(ERROR_INVALID_PARAMETER, `interface type ${code} is not a NET_INTERFACE_TYPE (${PERMANENT} to ${REMOTE_WORKSTATION_DIAL})`);
  }
  return type;
}

/** Mutable record behind the read-only Interface handlers see. */
export class InterfaceRecord<IC, AF extends AddressFamily = AddressFamily> implements Interface<IC, AF> {
  enabled = false;
  active = false;
  mediaPresent = true;
  binding: BindingOf<AF> | null = null;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly type: InterfaceType,
    readonly mediaType: number,
    readonly accessType: number,
    readonly connectionType: number,
    public config: IC,
  ) {}

  get operational(): boolean {
    return this.enabled && this.binding !== null && this.mediaPresent;
  }

  toJSON() {
    return {
      index: this.index, name: this.name, type: this.type, enabled: this.enabled, active: this.active,
      mediaPresent: this.mediaPresent, operational: this.operational, binding: this.binding,
    };
  }
}
