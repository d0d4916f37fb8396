import { create } from 'zustand'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { LinkPrefill, SessionState } from '../../../shared/ipc'
import { errorCode, ipc, errorMessage } from '../ipcClient'
import { translate } from './locale'

const messages = defineMessages({
  wrongCredentials: {
    id: 'login.error.wrongCredentials',
    defaultMessage: 'Wrong username or password.',
  },
  inviteNeeded: {
    id: 'login.error.inviteNeeded',
    defaultMessage: 'Registration needs an invite code from an administrator.',
  },
  inviteInvalid: {
    id: 'login.error.inviteInvalid',
    defaultMessage: 'The invite code is invalid, expired or already used.',
  },
})

export interface RegisterInput {
  username: string
  password: string
  display_name?: string
  invite_code?: string
}

interface SessionStore {
  session: SessionState | null
  /** The form a `tidings://` link filled in (invite or reset code), for the signed-out view. */
  linkPrefill: LinkPrefill | null
  busy: boolean
  error: string | null
  set(session: SessionState): void
  load(): Promise<SessionState | null>
  /**
   * The calls below resolve with the new session (null on failure, with `error` set). They do not
   * apply it: `applySession` in actions/userData.ts does, so that a user change resets the other
   * stores.
   */
  signIn(username: string, password: string): Promise<SessionState | null>
  register(input: RegisterInput): Promise<SessionState | null>
  signOut(): Promise<SessionState | null>
  /** A new password with an administrator's one-time reset code (signs in, others out). */
  resetPassword(code: string, newPassword: string): Promise<SessionState | null>
  /** The form a `tidings://` link asked to fill in, once; null when none waits. */
  takeLinkPrefill(): Promise<LinkPrefill | null>
  setLinkPrefill(prefill: LinkPrefill): void
  /** An admin's new invite code for someone to register with; null when it failed. */
  createInvite(): Promise<string | null>
  clearError(): void
}

export const useSession = create<SessionStore>()((set) => {
  /** `refused`: what a refusal by code means for this call ("wrong password" for a sign-in). */
  async function run(
    call: () => Promise<SessionState>,
    refused: (code: string | null) => string | null = () => null,
  ): Promise<SessionState | null> {
    set({ busy: true, error: null })
    try {
      const session = await call()
      set({ busy: false })
      return session
    } catch (error) {
      set({ busy: false, error: refused(errorCode(error)) ?? errorMessage(error) })
      return null
    }
  }
  return {
    session: null,
    linkPrefill: null,
    busy: false,
    error: null,
    set: (session) => set({ session }),
    load: async () => {
      try {
        const session = await ipc()['session/get']()
        set({ session })
        return session
      } catch (error) {
        set({ error: errorMessage(error) })
        return null
      }
    },
    signIn: (username, password) =>
      run(
        () => ipc()['session/login']({ username, password }),
        (code) => (code === 'unauthorized' ? translate(messages.wrongCredentials) : null),
      ),
    register: (input) => {
      const request: RegisterInput = { username: input.username, password: input.password }
      if (input.display_name) request.display_name = input.display_name
      if (input.invite_code) request.invite_code = input.invite_code
      return run(
        () => ipc()['session/register'](request),
        (code) =>
          code !== 'forbidden'
            ? null
            : translate(request.invite_code ? messages.inviteInvalid : messages.inviteNeeded),
      )
    },
    signOut: () => run(() => ipc()['session/logout']()),
    resetPassword: (code, newPassword) =>
      run(() => ipc()['session/resetPassword']({ code, new_password: newPassword })),
    takeLinkPrefill: async () => {
      let prefill: LinkPrefill | null = null
      try {
        prefill = await ipc()['links/takePrefill']()
      } catch {
        // Nothing to fill in: the form stays as it is.
      }
      if (prefill) set({ linkPrefill: prefill, error: null })
      return prefill
    },
    setLinkPrefill: (prefill) => set({ linkPrefill: prefill, error: null }),
    createInvite: async () => {
      try {
        return (await ipc()['admin/createInvite']({})).code
      } catch {
        return null
      }
    },
    clearError: () => set({ error: null }),
  }
})

/** The signed-in user's id, or null. */
export function selfId(): number | null {
  return useSession.getState().session?.user?.id ?? null
}

/**
 * Whose data a window shows: the signed-in user of one server (user ids are per server), or null
 * while signed out. A change of it means the window forgets everything and loads afresh.
 */
export function accountOf(session: SessionState | null): string | null {
  return session?.user ? `${session.server_url}#${session.user.id}` : null
}
