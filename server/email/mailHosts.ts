import { lookup } from 'node:dns/promises'
import net from 'node:net'

/**
 * Where a member's mail account may make the server connect. The server dials the IMAP and SMTP
 * hosts a member typed: left alone, a member could point them at the server's own loopback, the
 * private network it sits in or a cloud metadata address, and read from the account's state
 * which ports answer there (server-side request forgery). So a host is resolved first, every
 * address it resolves to is checked, and the server connects to the address it checked (not to
 * the name again, which could resolve elsewhere the second time). Internal addresses are refused
 * unless the administrator allows them (`--allow-private-mail-hosts`, for a mail server on the
 * same network).
 */
const INTERNAL = new net.BlockList()
for (const [address, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata at 169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  INTERNAL.addSubnet(address, prefix, 'ipv4')
}
for (const [address, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  INTERNAL.addSubnet(address, prefix, 'ipv6')
}

/** True for an address inside the machine or its networks (see INTERNAL). */
export function isInternalAddress(address: string): boolean {
  const family = net.isIP(address)
  if (family === 4) return INTERNAL.check(address, 'ipv4')
  if (family !== 6) return true
  const lower = address.toLowerCase()
  // An IPv4 address in IPv6 clothes (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d, the old
  // compatible ::a.b.c.d) is judged as that IPv4 address.
  const embedded = embeddedIpv4(lower)
  if (embedded !== undefined) return isInternalAddress(embedded)
  return INTERNAL.check(lower, 'ipv6')
}

function embeddedIpv4(address: string): string | undefined {
  const words = expandIpv6(address)
  if (!words) return undefined
  const mapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff
  const compatible = words.slice(0, 6).every((w) => w === 0) && (words[6]! > 0 || words[7]! > 1)
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0)
  if (!mapped && !compatible && !nat64) return undefined
  return [words[6]! >> 8, words[6]! & 0xff, words[7]! >> 8, words[7]! & 0xff].join('.')
}

/** The eight 16-bit words of an IPv6 address (a dotted IPv4 tail allowed). */
function expandIpv6(address: string): number[] | undefined {
  let text = address.split('%')[0]!
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, -tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, rest] = text.split('::') as [string, string | undefined]
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)))
  const left = parse(head)
  const right = rest === undefined ? [] : parse(rest)
  const missing = 8 - left.length - right.length
  if (rest === undefined ? missing !== 0 : missing < 0) return undefined
  return [...left, ...Array<number>(missing).fill(0), ...right]
}

/** A mail host the server will not connect to (an internal address, unless allowed). */
export class MailHostRefused extends Error {
  readonly code = 'EMAILHOSTREFUSED'
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, an internal address (see --allow-private-mail-hosts)`)
  }
}

/**
 * The address to connect to for `host`: itself when private hosts are allowed (the mail
 * libraries resolve it), else the first address it resolves to once every one of them is
 * checked. Rejects with MailHostRefused for an internal address, or with the lookup's error.
 */
export async function mailHostAddress(host: string, allowPrivate: boolean): Promise<string> {
  if (allowPrivate) return host
  const addresses = net.isIP(host)
    ? [host]
    : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address)
  const internal = addresses.find(isInternalAddress)
  if (internal !== undefined) throw new MailHostRefused(host, internal)
  return addresses[0]!
}
