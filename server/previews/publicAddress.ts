import { lookup } from 'node:dns/promises'
import ipaddr from 'ipaddr.js'

/** An address a host name resolved to, as `net.connect`'s `lookup` hands it on. */
export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/**
 * Resolves a host name and checks where it leads, for an outbound connection on a user's behalf:
 * the addresses to connect to, or a `RefusedHostError`. The fetcher calls it on every connection
 * (so on every redirect), and connects only to what it returned: a name that resolves differently
 * a moment later (DNS rebinding) is never looked up twice for one connection.
 */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>

/** A host the server must not reach on a user's behalf (its own network, a cloud's metadata). */
export class RefusedHostError extends Error {
  constructor(
    readonly hostname: string,
    reason: string,
  ) {
    super(`${hostname}: ${reason}`)
    this.name = 'RefusedHostError'
  }
}

/**
 * Whether an address is on the public internet: ipaddr.js's range `unicast` only. Everything else
 * is refused: loopback, private (10/8, 172.16/12, 192.168/16), link-local (169.254/16 with the
 * cloud metadata address 169.254.169.254; fe80::/10), unique-local fc00::/7 (fd00:ec2::254),
 * carrier-grade NAT, multicast, reserved, unspecified, and the IPv6 forms that embed an IPv4
 * address another host translates (6to4, Teredo, NAT64). An IPv4-mapped IPv6 address
 * (::ffff:127.0.0.1) is judged as the IPv4 address it is.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  return ipaddr.process(address).range() === 'unicast'
}

/**
 * The server's policy for link previews: every address a name resolves to must be public (one
 * private answer among public ones refuses the host, since the connection may pick any).
 */
export const resolvePublicHost: ResolveHost = async (hostname) => {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  let addresses: ResolvedAddress[]
  try {
    const found = await lookup(bare, { all: true, verbatim: true })
    addresses = found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }))
  } catch {
    throw new RefusedHostError(hostname, 'the name does not resolve')
  }
  if (addresses.length === 0) throw new RefusedHostError(hostname, 'the name does not resolve')
  const inner = addresses.find((a) => !isPublicAddress(a.address))
  if (inner) throw new RefusedHostError(hostname, `${inner.address} is not a public address`)
  return addresses
}
