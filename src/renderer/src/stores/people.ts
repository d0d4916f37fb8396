import { create } from 'zustand'
import type { AdminUser, PasswordResetIssued, Role } from '../../../shared/models'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { ipc, errorMessage } from '../ipcClient'
import { translate } from './locale'

const messages = defineMessages({
  nowAdmin: { id: 'people.done.nowAdmin', defaultMessage: '{name} is now an administrator.' },
  noLongerAdmin: {
    id: 'people.done.noLongerAdmin',
    defaultMessage: '{name} is no longer an administrator.',
  },
  deactivated: {
    id: 'people.done.deactivated',
    defaultMessage: '{name} was deactivated and signed out everywhere.',
  },
  reactivated: {
    id: 'people.done.reactivated',
    defaultMessage: '{name} was reactivated and can sign in again.',
  },
  signedOut: {
    id: 'people.done.signedOut',
    defaultMessage:
      '{count, plural, =0 {{name} was not signed in anywhere.} one {{name} was signed out of # device.} other {{name} was signed out of # devices.}}',
  },
  resetReady: {
    id: 'people.done.resetReady',
    defaultMessage: 'A reset code for {name} is ready to hand over.',
  },
})

/**
 * The settings window's People section (administrators only): everyone with role, state, last
 * seen and devices, and what the administrator does to an account. The server enforces every
 * rule (the last active administrator stays); a refusal shows as `error`.
 */
interface PeopleStore {
  users: AdminUser[]
  loaded: boolean
  /** The account an action is running on, so that its row's buttons wait. */
  busyId: number | null
  error: string | null
  /** The last success, in words for the user. */
  done: string | null
  /** The reset code just issued, shown once to hand over; never stored elsewhere. */
  issued: (PasswordResetIssued & { username: string }) | null
  load(): Promise<void>
  setRole(user: AdminUser, role: Role): Promise<void>
  deactivate(user: AdminUser): Promise<void>
  reactivate(user: AdminUser): Promise<void>
  signOutEverywhere(user: AdminUser): Promise<void>
  resetPassword(user: AdminUser): Promise<void>
  dismissIssued(): void
  reset(): void
}

const EMPTY = {
  users: [],
  loaded: false,
  busyId: null,
  error: null,
  done: null,
  issued: null,
} satisfies Partial<PeopleStore>

export const usePeople = create<PeopleStore>()((set, get) => {
  /** Puts the server's new copy of an account in its place. */
  function replace(user: AdminUser): void {
    set({ users: get().users.map((u) => (u.id === user.id ? user : u)) })
  }
  async function act(user: AdminUser, call: () => Promise<string>): Promise<void> {
    set({ busyId: user.id, error: null, done: null })
    try {
      set({ busyId: null, done: await call() })
    } catch (error) {
      set({ busyId: null, error: errorMessage(error) })
    }
  }
  const name = (user: AdminUser) => user.display_name || user.username
  return {
    ...EMPTY,
    load: async () => {
      try {
        set({ users: await ipc()['admin/listUsers'](), loaded: true })
      } catch (error) {
        set({ error: errorMessage(error), loaded: true })
      }
    },
    setRole: (user, role) =>
      act(user, async () => {
        replace(await ipc()['admin/setRole']({ user_id: user.id, role }))
        return translate(role === 'admin' ? messages.nowAdmin : messages.noLongerAdmin, {
          name: name(user),
        })
      }),
    deactivate: (user) =>
      act(user, async () => {
        replace(await ipc()['admin/deactivateUser']({ user_id: user.id }))
        return translate(messages.deactivated, { name: name(user) })
      }),
    reactivate: (user) =>
      act(user, async () => {
        replace(await ipc()['admin/reactivateUser']({ user_id: user.id }))
        return translate(messages.reactivated, { name: name(user) })
      }),
    signOutEverywhere: (user) =>
      act(user, async () => {
        const { signed_out_sessions: count } = await ipc()['admin/signOutUser']({
          user_id: user.id,
        })
        await get().load()
        return translate(messages.signedOut, { name: name(user), count })
      }),
    resetPassword: (user) =>
      act(user, async () => {
        const issued = await ipc()['admin/resetPassword']({ user_id: user.id })
        set({ issued: { ...issued, username: user.username } })
        return translate(messages.resetReady, { name: name(user) })
      }),
    dismissIssued: () => set({ issued: null }),
    reset: () => set(EMPTY),
  }
})
