import net from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { HttpError } from './httpError'

/** The names that always mean this machine. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1']

/**
 * Which Host headers the server answers, against DNS rebinding: a page on another domain that
 * points its name at 127.0.0.1 makes the browser send requests to the desktop app's bundled
 * server with `Host: that-domain`, which is refused here. A server bound to loopback answers its
 * loopback names only; one with public URLs (`--public-url`) answers their host names as well
 * (and the loopback names, for checks from the machine itself). A server bound to another
 * address without any public URL answers every name, as before: it cannot know the names it is
 * reached by (startServer warns about it).
 *
 * A request without a Host header is answered: a browser always sends one, so it cannot be a
 * rebound page, and a load balancer's health check (HAProxy's `option httpchk`, HTTP/1.0) often
 * sends none. (Node itself refuses an HTTP/1.1 request without one.)
 *
 * Host names are compared without their port: the port does not matter to the attack (the page
 * chooses its own), and a proxy may or may not forward it.
 */
export function hostPolicy(bindHost: string, publicUrls: readonly string[]): HostPolicy {
  const names = new Set(LOOPBACK_NAMES)
  for (const url of publicUrls) names.add(hostnameOf(new URL(url).host))
  const loopback = isLoopback(bindHost)
  if (!loopback) names.add(hostnameOf(bindHost))
  const anyHost = !loopback && publicUrls.length === 0
  return {
    anyHost,
    allows: (host) => anyHost || host === undefined || names.has(hostnameOf(host)),
  }
}

export interface HostPolicy {
  /** True when every Host is answered (a server bound to a public address without public URLs). */
  anyHost: boolean
  allows(host: string | undefined): boolean
}

/** An onRequest hook that refuses a Host header the policy does not allow: 421, before any work. */
export function checkHost(policy: HostPolicy) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (policy.allows(request.headers.host)) return
    reply.header('connection', 'close')
    throw new HttpError(
      421,
      'misdirected_request',
      'This server does not answer that host name (see --public-url).',
    )
  }
}

/** `Example.com:8000` → `example.com`, `[::1]:80` → `::1`. */
function hostnameOf(host: string): string {
  const lower = host.trim().toLowerCase()
  if (lower.startsWith('[')) return lower.slice(1, lower.indexOf(']'))
  // A bare IPv6 address (a bind address) has colons but no port.
  if (net.isIPv6(lower)) return lower
  const colon = lower.lastIndexOf(':')
  return colon >= 0 ? lower.slice(0, colon) : lower
}

function isLoopback(host: string): boolean {
  const name = hostnameOf(host)
  return name === 'localhost' || name === '::1' || (net.isIPv4(name) && name.startsWith('127.'))
}
