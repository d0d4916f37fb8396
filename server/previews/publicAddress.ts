import { isIP } from 'node:net'
import { resolvePublicAddress } from '../net/publicAddressGuard'

/** An address a host name resolved to, as `net.connect`'s `lookup` hands it on. */
export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/**
 * Resolves a host name and checks where it leads, for an outbound connection on a user's behalf:
 * the addresses to connect to, or a rejection. The fetcher calls it on every connection (so on
 * every redirect), and connects only to what it returned: a name that resolves differently a
 * moment later (DNS rebinding) is never looked up twice for one connection. Injected, so tests can
 * let their own loopback page servers through (`linkPreviewResolveHost`, never a flag).
 */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>

/** A host the server must not reach on a user's behalf (what a ResolveHost may reject with). */
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
 * The server's policy for link previews: the server's one public-address guard
 * (server/net/publicAddressGuard.ts, as for mail hosts): every address the name resolves to must
 * be public, and the one it checked is the one dialled.
 */
export const resolvePublicHost: ResolveHost = async (hostname) => {
  const address = await resolvePublicAddress(hostname)
  return [{ address, family: isIP(address) === 6 ? 6 : 4 }]
}
