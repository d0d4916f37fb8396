/**
 * Links the app may hand to the system browser: absolute http(s) URLs without credentials. Every
 * other scheme (file:, javascript:, custom protocol handlers, smb:) is refused. Main opens only
 * these (a page's window.open and navigations), and the renderer turns only these into anchors.
 */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false
  if (parsed.username || parsed.password) return false
  return parsed.hostname.length > 0
}
