import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { normalizeServerUrl } from '../../shared/deepLinks'
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

export function storedServer(url: string | null): StoredServer {
  return { id: serverIdOf(url), url }
}

/** The folder of a server's local store. */
export function serverStoreDir(userDataDir: string, id: string): string {
  return join(userDataDir, 'servers', id)
}

/**
 * The stored list; on the first start of a version with several servers, the one server the
 * preferences named (storedServerUrl.ts), which is then stored as the list. `migrated` says so.
 * A stored list is read defensively: addresses normalized (ids follow from them), duplicates and
 * unreadable entries dropped, an unknown active server replaced by the first.
 */
export function readServerList(store: LocalStore): { list: StoredServers; migrated: boolean } {
  const stored = store.getJson<unknown>(SERVERS_KEY)
  const servers = stored === null ? [] : storedServers(stored)
  if (servers.length === 0) {
    const first = storedServer(legacyServerUrl(store.getJson<unknown>('preferences')))
    const list = { servers: [first], active_id: first.id }
    writeServerList(store, list)
    return { list, migrated: true }
  }
  const activeId = (stored as { active_id?: unknown }).active_id
  const active = servers.find((s) => s.id === activeId) ?? servers[0]!
  return { list: { servers, active_id: active.id }, migrated: false }
}

export function writeServerList(store: LocalStore, list: StoredServers): void {
  store.setJson(SERVERS_KEY, {
    servers: list.servers.map((s) => ({ url: s.url })),
    active_id: list.active_id,
  })
}

function storedServers(stored: unknown): StoredServer[] {
  const entries = (stored as { servers?: unknown }).servers
  if (!Array.isArray(entries)) return []
  const servers: StoredServer[] = []
  for (const entry of entries as unknown[]) {
    const address = addressOf((entry as { url?: unknown } | null)?.url)
    if (address === undefined) continue
    const server = storedServer(address)
    if (!servers.some((s) => s.id === server.id)) servers.push(server)
  }
  return servers
}

/** A stored address: null for the bundled server, undefined when it cannot be read. */
function addressOf(url: unknown): string | null | undefined {
  if (url === null) return null
  return (typeof url === 'string' && normalizeServerUrl(url)) || undefined
}
