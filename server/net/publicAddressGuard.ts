import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { lookup } from 'node:dns/promises'
import net from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Where a member may make the server connect. Whenever the server dials a host a member typed (a
 * mail account's IMAP and SMTP servers, a link to preview), a member could otherwise point it at
 * the server's own loopback, the private network it sits in or a cloud metadata address, and
 * learn from the outcome what answers there (server-side request forgery). So a host is resolved
 * first, every address it resolves to is checked, and the server connects to the address it
 * checked, not to the name again, which could resolve elsewhere the second time (DNS rebinding).
 *
 * What counts as public is ipaddr.js's `range()`: only `unicast`, never loopback, private,
 * link-local, unique-local, carrier-grade NAT, multicast, broadcast, reserved, documentation,
 * benchmarking or unspecified. An IPv4 address carried in an IPv6 one (mapped `::ffff:a.b.c.d`,
 * translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`, the old
 * compatible `::a.b.c.d`) is judged as that IPv4 address, since that is where the packets go; other
 * IPv6 addresses must be global unicast (2000::/3), so Teredo and the local-use NAT64 prefix are
 * refused too.
 */
export function isPublicAddress(address: string): boolean {
  if (!net.isIP(address)) return false
  const parsed = ipaddr.parse(address)
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast'
  const ipv6 = parsed as ipaddr.IPv6
  const embedded = embeddedIpv4(ipv6)
  if (embedded !== undefined) return embedded.range() === 'unicast'
  const [first] = ipv6.parts as [number]
  return ipv6.range() === 'unicast' && first >> 13 === 0b001
}

/** The IPv4 address an IPv6 address carries, for the forms that route to it. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray()
  const ipv4 = (from: number) => new ipaddr.IPv4(bytes.slice(from, from + 4))
  const range = address.range()
  if (range === 'ipv4Mapped' || range === 'rfc6145') return ipv4(12)
  if (range === '6to4') return ipv4(2)
  // NAT64's well-known prefix (64:ff9b::/96); its local-use /48, also rfc6052, stays refused.
  if (range === 'rfc6052' && bytes.slice(4, 12).every((byte) => byte === 0)) return ipv4(12)
  // Compatible (::a.b.c.d, deprecated): :: and ::1 land in 0.0.0.0/8, unspecified.
  if (bytes.slice(0, 12).every((byte) => byte === 0)) return ipv4(12)
  return undefined
}

/** A host the server will not connect to: it is, or resolves to, an address that is not public. */
export class NonPublicAddressRefused extends Error {
  readonly code = 'ENONPUBLICADDRESS'
  constructor(host: string, address: string, hint?: string) {
    super(`${host} resolves to ${address}, not a public address${hint ? ` (${hint})` : ''}`)
  }
}

export interface PublicAddressOptions {
  /**
   * Allow addresses that are not public (an on-premises server the administrator vouched for,
   * e.g. `--allow-private-mail-hosts`). Default false.
   */
  allowNonPublic?: boolean
  /** Added to the refusal's message for the log, e.g. the flag that would allow the host. */
  hint?: string
}

/**
 * The address to dial for `host`: the first address it resolves to, once every one of them is
 * checked; the host itself when non-public addresses are allowed (the dialler resolves it).
 * Rejects with NonPublicAddressRefused, or with the lookup's own error (an unknown name). Dial
 * the address returned, with the host name for TLS (SNI and the certificate).
 */
export async function resolvePublicAddress(
  host: string,
  options: PublicAddressOptions = {},
): Promise<string> {
  if (options.allowNonPublic) return host
  const addresses = net.isIP(host)
    ? [host]
    : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address)
  const refused = addresses.find((address) => !isPublicAddress(address))
  if (refused !== undefined) throw new NonPublicAddressRefused(host, refused, options.hint)
  return addresses[0]!
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/**
 * The same guard as a `lookup` function for `net.connect`, `tls.connect`, `http.request` or an
 * undici Agent's `connect` option: a client that follows redirects or reconnects then checks
 * every host it dials, and dials the address that was checked. Node calls it with `all: true`
 * (family auto-selection) or without; both are answered.
 */
export function publicAddressLookup(options: PublicAddressOptions = {}) {
  return (
    hostname: string,
    lookupOptions: { all?: boolean; family?: number | string },
    callback: LookupCallback,
  ): void => {
    dnsLookup(
      hostname,
      { all: true, verbatim: true, family: familyOf(lookupOptions.family) },
      (error, addresses) => {
        if (error) return callback(error, lookupOptions.all ? [] : '')
        const refused = options.allowNonPublic
          ? undefined
          : addresses.find((entry) => !isPublicAddress(entry.address))
        if (refused !== undefined) {
          return callback(
            new NonPublicAddressRefused(hostname, refused.address, options.hint),
            lookupOptions.all ? [] : '',
          )
        }
        if (lookupOptions.all) return callback(null, addresses)
        const [first] = addresses
        callback(null, first!.address, first!.family)
      },
    )
  }
}

function familyOf(family: number | string | undefined): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4
  if (family === 6 || family === 'IPv6') return 6
  return 0
}
