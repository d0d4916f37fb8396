import { create } from 'zustand'
import type { Invite } from '../../../shared/ipc'
import { ipc } from '../ipcClient'

interface InviteStore {
  /** An invite a tidings:// link brought, waiting for the registration form. */
  pending: Invite | null
  /** A navigation/invite push: kept until the form takes it (it may not be showing). */
  offer(invite: Invite): void
  /** Asks main for an invite that arrived before this page could hear of it. */
  fetch(): Promise<void>
  /** The form fills itself in from the pending invite, once (main forgets it too). */
  take(): Invite | null
}

export const useInvite = create<InviteStore>()((set, get) => ({
  pending: null,
  offer: (invite) => set({ pending: invite }),
  fetch: async () => {
    const invite = await takeFromMain()
    if (invite) set({ pending: invite })
  },
  take: () => {
    const invite = get().pending
    if (invite) {
      set({ pending: null })
      // The push and main's copy are one invite: a later sign-out must not fill it in again.
      void takeFromMain()
    }
    return invite
  },
}))

/** Main's copy of the invite, taken (null when there is none, or main could not be asked). */
async function takeFromMain(): Promise<Invite | null> {
  try {
    return await ipc()['deepLinks/takeInvite']()
  } catch {
    return null
  }
}
