import { normalizeServerUrl } from '../../shared/deepLinks'
import { needsUnencryptedConfirmation } from '../../shared/serverAddress'

/** The server an earlier version's preferences chose, as the server list starts from it. */
export interface LegacyServerChoice {
  /** The address to list first; null: the bundled server. */
  url: string | null
  /** A plain-http remote server not used, since the user never confirmed it; else null. */
  refused: string | null
}

/**
 * The one server earlier versions used, as their preferences kept it (`server_url`; null or
 * absent: the bundled server). The server list (serverList.ts) starts from it, so a user who
 * updates keeps their server. An address that is not an http(s) URL counts as none. A plain-http
 * remote server (not this machine) is kept only if the user confirmed that very address
 * (`unencrypted_server_confirmed`, which a version with one server asked for in its settings);
 * one stored unasked is not used: the bundled server is listed instead, and `refused` names it.
 */
export function legacyServerUrl(storedPreferences: unknown): LegacyServerChoice {
  if (typeof storedPreferences !== 'object' || storedPreferences === null) {
    return { url: null, refused: null }
  }
  const { server_url: value, unencrypted_server_confirmed: confirmed } = storedPreferences as {
    server_url?: unknown
    unencrypted_server_confirmed?: unknown
  }
  const url = typeof value === 'string' ? normalizeServerUrl(value) : null
  if (url === null || !needsUnencryptedConfirmation(url)) return { url, refused: null }
  const confirmedUrl = typeof confirmed === 'string' ? normalizeServerUrl(confirmed) : null
  return confirmedUrl === url ? { url, refused: null } : { url: null, refused: url }
}
