const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * True for a server address whose traffic the network can read: plain http:// to anything but
 * this machine. Adding one needs the user's confirmation (servers/add's `unencrypted_confirmed`).
 */
export function needsUnencryptedConfirmation(serverUrl: string): boolean {
  let url: URL
  try {
    url = new URL(serverUrl)
  } catch {
    return false
  }
  if (url.protocol !== 'http:') return false
  const host = url.hostname.toLowerCase()
  return !(LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127\./.test(host))
}
