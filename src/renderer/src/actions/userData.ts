import type { SessionState } from '../../../shared/ipc'
import { ipc } from '../ipcClient'
import { useConversations } from '../stores/conversations'
import { useDrafts } from '../stores/drafts'
import { useEventMonitor } from '../stores/eventMonitor'
import { useFollowedThreads } from '../stores/followedThreads'
import { useMessages } from '../stores/messages'
import { useNewMessages } from '../stores/newMessages'
import { usePendingAttachments } from '../stores/pendingAttachments'
import { usePresence } from '../stores/presence'
import { useReadMarks } from '../stores/readMarks'
import { useReplies } from '../stores/replies'
import { useSearch } from '../stores/search'
import { accountOf, useSession, type RegisterInput } from '../stores/session'
import { useThreadPanel } from '../stores/threadPanel'
import { useToasts } from '../stores/toasts'
import { useTyping } from '../stores/typing'
import { openConversation } from './navigation'

/**
 * Who is signed in, as the window applies it: signing in, up and out, a new user's data loaded
 * and the previous one's forgotten in every store, and a reload of everything after a resync.
 */

/** Events were missed beyond replay: reload everything from the server. */
export async function resync(): Promise<void> {
  useReadMarks.getState().forgetReports()
  useMessages.getState().clearThreads()
  // The panel's thread may have missed replies too: open it again from the server.
  const panel = useThreadPanel.getState().open
  useThreadPanel.getState().reset()
  if (panel) void useThreadPanel.getState().openThread(panel.conversationId, panel.rootId)
  useFollowedThreads.getState().reloadSoon()
  const activeId = useConversations.getState().activeId
  await Promise.all([
    useConversations.getState().load(),
    usePresence.getState().load(),
    activeId !== null ? useMessages.getState().loadLatest(activeId) : Promise.resolve(),
  ])
  if (activeId !== null && !(activeId in useConversations.getState().byId)) {
    await openConversation(null)
  }
}

/** Loads what a signed-in window shows. */
export async function loadSignedIn(): Promise<void> {
  const tidings = ipc()
  await Promise.all([
    useConversations.getState().load(),
    usePresence.getState().load(),
    useDrafts.getState().load(),
    useFollowedThreads.getState().load(),
    tidings['outbox/list']()
      .then((items) => useMessages.getState().setOutbox(items))
      .catch(() => undefined),
  ])
}

/** Forgets everything of the previous user. */
export function resetUserData(): void {
  useReadMarks.getState().reset()
  useConversations.getState().reset()
  useMessages.getState().reset()
  useThreadPanel.getState().reset()
  useFollowedThreads.getState().reset()
  useDrafts.getState().reset()
  useNewMessages.getState().reset()
  usePresence.getState().reset()
  useTyping.getState().reset()
  useSearch.getState().reset()
  useReplies.getState().cancel()
  usePendingAttachments.getState().reset()
  useToasts.getState().reset()
  useEventMonitor.getState().clear()
}

/**
 * A new session state: resets on sign-out, a user switch or a server switch (another server's
 * user), loads on sign-in.
 */
export async function applySession(session: SessionState): Promise<void> {
  const before = accountOf(useSession.getState().session)
  useSession.getState().set(session)
  const after = accountOf(session)
  if (before !== after) {
    resetUserData()
    if (after !== null) await loadSignedIn()
  }
}

/** Signs in; on success the new session is applied (stores reset and reload). */
export async function signIn(username: string, password: string): Promise<boolean> {
  const session = await useSession.getState().signIn(username, password)
  if (session) await applySession(session)
  return session !== null
}

/** Registers (first admin, invite code, or open registration) and applies the session. */
export async function register(input: RegisterInput): Promise<boolean> {
  const session = await useSession.getState().register(input)
  if (session) await applySession(session)
  return session !== null
}

/** Sets a new password with a reset code an administrator handed over, and signs in. */
export async function resetPassword(code: string, newPassword: string): Promise<boolean> {
  const session = await useSession.getState().resetPassword(code, newPassword)
  if (session) await applySession(session)
  return session !== null
}

/** Signs out and forgets the user's data in this window. */
export async function signOut(): Promise<void> {
  const session = await useSession.getState().signOut()
  if (session) await applySession(session)
}
