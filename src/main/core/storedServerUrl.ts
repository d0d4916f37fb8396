import { normalizeServerUrl } from '../../shared/deepLinks'

/**
 * The one server earlier versions used, as their preferences kept it (`server_url`; null or
 * absent: the bundled server). The server list (serverList.ts) starts from it, so a user who
 * updates keeps their server. An address that is not an http(s) URL counts as none.
 */
export function legacyServerUrl(storedPreferences: unknown): string | null {
  if (typeof storedPreferences !== 'object' || storedPreferences === null) return null
  const value = (storedPreferences as { server_url?: unknown }).server_url
  return typeof value === 'string' ? normalizeServerUrl(value) : null
}
