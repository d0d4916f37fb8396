import { create } from 'zustand'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Translate } from '../../../shared/i18n/translator'
import { ipc, errorMessage } from '../ipcClient'
import { translate } from './locale'

const messages = defineMessages({
  signedOut: {
    id: 'password.signedOut',
    defaultMessage:
      '{count, plural, =0 {No other device was signed in.} one {# other device was signed out.} other {# other devices were signed out.}}',
  },
  changed: {
    id: 'password.changed',
    defaultMessage: 'Password changed. {signedOut}',
    description: 'signedOut: how many other devices were signed out, a sentence',
  },
})

/** What the settings window is doing about the user's password and other devices. */
interface PasswordStore {
  busy: boolean
  /** The last failure, as the server (or main) worded it. */
  error: string | null
  /** The last success, in words for the user. */
  done: string | null
  /** True on success; the passwords are held by the form only, never here. */
  changePassword(currentPassword: string, newPassword: string): Promise<boolean>
  signOutOthers(): Promise<boolean>
  clearMessages(): void
}

export function signedOutText(count: number, t: Translate = translate): string {
  return t(messages.signedOut, { count })
}

export const usePassword = create<PasswordStore>()((set) => {
  async function run(call: () => Promise<string>): Promise<boolean> {
    set({ busy: true, error: null, done: null })
    try {
      set({ busy: false, done: await call() })
      return true
    } catch (error) {
      set({ busy: false, error: errorMessage(error) })
      return false
    }
  }
  return {
    busy: false,
    error: null,
    done: null,
    changePassword: (currentPassword, newPassword) =>
      run(async () => {
        const answer = await ipc()['session/changePassword']({
          current_password: currentPassword,
          new_password: newPassword,
        })
        return translate(messages.changed, {
          signedOut: signedOutText(answer.signed_out_sessions),
        })
      }),
    signOutOthers: () =>
      run(async () => signedOutText((await ipc()['session/signOutOthers']()).signed_out_sessions)),
    clearMessages: () => set({ error: null, done: null }),
  }
})
