import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { normalizeServerUrl } from '../../shared/deepLinks'
import { needsUnencryptedConfirmation } from '../../shared/serverAddress'
import type { LocalStore } from './localStore'
import { legacyServerUrl } from './storedServerUrl'

/**
 * The servers the app knows, as the app's local store keeps them (key `servers`): each an
 * address (null: the bundled server) and the one the windows show. Each server's own data
 * (session, outbox, drafts, resume position, its muted and pinned conversations) is in a local
 * store of its own, `servers/<id>/` in the user data folder.
 */

export const BUNDLED_SERVER_ID = 'bundled'
const SERVERS_KEY = 'servers'

export interface StoredServer {
  id: string
  /** The server's address; null for the bundled server. */
  url: string | null
  /**
   * The address is plain http:// to another machine and the user said to use it anyway (when
   * adding it); such a server is listed only with this.
   */
  unencrypted_confirmed: boolean
}

export interface StoredServers {
  /** In the order they were added; never empty. */
  servers: StoredServer[]
  active_id: string
}

/** A server's id: the same address always has the same id (and so the same folder). */
export function serverIdOf(url: string | null): string {
  if (url === null) return BUNDLED_SERVER_ID
  return `s-${createHash('sha256').update(url).digest('hex').slice(0, 16)}`
}

export function storedServer(url: string | null, unencryptedConfirmed = false): StoredServer {
  return { id: serverIdOf(url), url, unencrypted_confirmed: unencryptedConfirmed }
}

/** A plain-http remote server the user did not confirm: never used. */
export function isUnconfirmedUnencrypted(server: StoredServer): boolean {
  return (
    server.url !== null && needsUnencryptedConfirmation(server.url) && !server.unencrypted_confirmed
  )
}

/** The folder of a server's local store. */
export function serverStoreDir(userDataDir: string, id: string): string {
  return join(userDataDir, 'servers', id)
}

export interface ReadServerList {
  list: StoredServers
  /** True on the first start of a version with several servers (the list was made now). */
  migrated: boolean
  /** Plain-http remote servers left out since the user never confirmed them (for a dialog). */
  refused: string[]
}

/**
 * The stored list; on the first start of a version with several servers, the one server the
 * preferences named (storedServerUrl.ts: a plain-http remote one only if the user had confirmed
 * it), which is then stored as the list. A stored list is read defensively: addresses normalized
 * (ids follow from them), duplicates, unreadable entries and unconfirmed plain-http remote
 * servers dropped, an unknown active server replaced by the first.
 */
export function readServerList(store: LocalStore): ReadServerList {
  const stored = store.getJson<unknown>(SERVERS_KEY)
  const { servers, refused } = storedServers(stored)
  if (servers.length === 0) {
    const legacy = legacyServerUrl(store.getJson<unknown>('preferences'))
    // A legacy address that needs a confirmation got here only with it.
    const first = storedServer(
      legacy.url,
      legacy.url !== null && needsUnencryptedConfirmation(legacy.url),
    )
    const list = { servers: [first], active_id: first.id }
    writeServerList(store, list)
    if (legacy.refused !== null) refused.push(legacy.refused)
    return { list, migrated: true, refused }
  }
  const activeId = (stored as { active_id?: unknown }).active_id
  const active = servers.find((s) => s.id === activeId) ?? servers[0]!
  if (refused.length > 0) writeServerList(store, { servers, active_id: active.id })
  return { list: { servers, active_id: active.id }, migrated: false, refused }
}

export function writeServerList(store: LocalStore, list: StoredServers): void {
  store.setJson(SERVERS_KEY, {
    servers: list.servers.map((s) =>
      s.unencrypted_confirmed ? { url: s.url, unencrypted_confirmed: true } : { url: s.url },
    ),
    active_id: list.active_id,
  })
}

function storedServers(stored: unknown): { servers: StoredServer[]; refused: string[] } {
  const servers: StoredServer[] = []
  const refused: string[] = []
  const entries = (stored as { servers?: unknown } | null)?.servers
  if (!Array.isArray(entries)) return { servers, refused }
  for (const entry of entries as unknown[]) {
    const fields = entry as { url?: unknown; unencrypted_confirmed?: unknown } | null
    const address = addressOf(fields?.url)
    if (address === undefined) continue
    const server = storedServer(address, fields?.unencrypted_confirmed === true)
    if (address !== null && isUnconfirmedUnencrypted(server)) {
      refused.push(address)
      continue
    }
    if (!servers.some((s) => s.id === server.id)) servers.push(server)
  }
  return { servers, refused }
}

/** A stored address: null for the bundled server, undefined when it cannot be read. */
function addressOf(url: unknown): string | null | undefined {
  if (url === null) return null
  return (typeof url === 'string' && normalizeServerUrl(url)) || undefined
}
