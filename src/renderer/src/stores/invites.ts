import { create } from 'zustand'
import type { CreatedInvite, Invite } from '../../../shared/models'
import { ipc, errorMessage } from '../ipcClient'

/**
 * The settings window's Invites section (administrators only): every invite with its creator,
 * expiry and use; a new one with a note and a lifetime, whose code shows this once; revoking an
 * unused one.
 */
interface InvitesStore {
  invites: Invite[]
  loaded: boolean
  busy: boolean
  error: string | null
  /** The invite just created, with its code (shown once). */
  created: CreatedInvite | null
  load(): Promise<void>
  create(note: string, expiresInHours: number): Promise<boolean>
  revoke(invite: Invite): Promise<void>
  reset(): void
}

const EMPTY = {
  invites: [],
  loaded: false,
  busy: false,
  error: null,
  created: null,
} satisfies Partial<InvitesStore>

export const useInvites = create<InvitesStore>()((set, get) => ({
  ...EMPTY,
  load: async () => {
    try {
      set({ invites: await ipc()['admin/listInvites'](), loaded: true })
    } catch (error) {
      set({ error: errorMessage(error), loaded: true })
    }
  },
  create: async (note, expiresInHours) => {
    set({ busy: true, error: null, created: null })
    try {
      const request: { note?: string; expires_in_hours: number } = {
        expires_in_hours: expiresInHours,
      }
      if (note.trim()) request.note = note.trim()
      const created = await ipc()['admin/createInvite'](request)
      const { code: _code, ...listed } = created
      set({ busy: false, created, invites: [listed, ...get().invites] })
      return true
    } catch (error) {
      set({ busy: false, error: errorMessage(error) })
      return false
    }
  },
  revoke: async (invite) => {
    set({ busy: true, error: null })
    try {
      const revoked = await ipc()['admin/revokeInvite']({ invite_id: invite.id })
      set({ busy: false, invites: get().invites.map((i) => (i.id === revoked.id ? revoked : i)) })
    } catch (error) {
      set({ busy: false, error: errorMessage(error) })
    }
  },
  reset: () => set(EMPTY),
}))
