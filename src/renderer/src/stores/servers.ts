import { create } from 'zustand'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Translator } from '../../../shared/i18n/translator'
import type { ServerList, ServerSummary } from '../../../shared/ipc'
import { errorMessage, ipc } from '../ipcClient'

interface ServersStore {
  /** The servers main runs, and the one this window shows; null until loaded. */
  list: ServerList | null
  /** A server being added (its address, or null for the built-in one) or removed (its id). */
  adding: boolean
  removing: string | null
  /** Why the last change failed (shown where it was asked for). */
  error: string | null
  set(list: ServerList): void
  load(): Promise<void>
  /** Shows another server (main window); the window then reloads from its session push. */
  activate(serverId: string): Promise<void>
  /**
   * Adds (and shows) a server by its address, or the built-in one (null); a plain-http remote
   * one only with `unencryptedConfirmed` (the user ticked that they accept it).
   */
  add(url: string | null, unencryptedConfirmed?: boolean): Promise<boolean>
  remove(serverId: string): Promise<boolean>
  clearError(): void
}

export const useServers = create<ServersStore>()((set) => {
  async function change(
    busy: Partial<Pick<ServersStore, 'adding' | 'removing'>>,
    call: () => Promise<ServerList>,
  ): Promise<boolean> {
    set({ ...busy, error: null })
    try {
      set({ list: await call(), adding: false, removing: null })
      return true
    } catch (error) {
      set({ adding: false, removing: null, error: errorMessage(error) })
      return false
    }
  }
  return {
    list: null,
    adding: false,
    removing: null,
    error: null,
    set: (list) => set({ list }),
    load: async () => {
      try {
        set({ list: await ipc()['servers/list']() })
      } catch (error) {
        set({ error: errorMessage(error) })
      }
    },
    activate: async (serverId) => {
      await change({}, () => ipc()['servers/activate']({ server_id: serverId }))
    },
    add: (url, unencryptedConfirmed) =>
      change({ adding: true }, () =>
        ipc()['servers/add'](unencryptedConfirmed ? { url, unencrypted_confirmed: true } : { url }),
      ),
    remove: (serverId) =>
      change({ removing: serverId }, () => ipc()['servers/remove']({ server_id: serverId })),
    clearError: () => set({ error: null }),
  }
})

const messages = defineMessages({
  builtIn: { id: 'servers.address.builtIn', defaultMessage: 'Built-in server on this computer' },
})

/** Where a server is: its host (and path), or "this computer" for the built-in one. */
export function serverAddress(server: ServerSummary, translator: Translator): string {
  if (server.url === null) return translator.t(messages.builtIn)
  const url = new URL(server.url)
  return url.host + (url.pathname === '/' ? '' : url.pathname)
}

/**
 * Up to two letters for the server switcher: of its name, or of its address when another listed
 * server has the same name (two teams keep the default "Tidings").
 */
export function serverInitials(
  server: ServerSummary,
  all: readonly ServerSummary[],
  translator: Translator,
): string {
  const shared = all.some((other) => other.id !== server.id && other.name === server.name)
  const source = shared ? serverAddress(server, translator).replace(/^www\./, '') : server.name
  const words = source.split(/[^\p{L}\p{N}]+/u).filter(Boolean)
  const letters =
    words.length > 1
      ? `${[...words[0]!][0]}${[...words[1]!][0]}`
      : [...(words[0] ?? '?')].slice(0, 2).join('')
  return letters.toUpperCase()
}
