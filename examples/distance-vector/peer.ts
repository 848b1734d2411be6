// A UDP neighbour of a distance-vector protocol: an address (with its zone, e.g.
// 'fe80::1%eth0', for an IPv6 link-local) and a port.
export interface Peer {
  address: string;
  port: number;
}
