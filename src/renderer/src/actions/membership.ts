import { useConversations } from '../stores/conversations'
import { useDrafts } from '../stores/drafts'
import { useMessages } from '../stores/messages'
import { selfId } from '../stores/session'
import { openConversation } from './navigation'

/** The user is no longer in a conversation: they left it from this window, or were removed. */

/** Takes a conversation the user is no longer in off the list, its thread and the screen. */
export function forgetConversation(id: number): void {
  const wasActive = useConversations.getState().activeId === id
  useConversations.getState().remove(id)
  useMessages.getState().dropConversation(id)
  useDrafts.getState().drop(id)
  if (wasActive) void openConversation(null)
}

/**
 * The user leaves a conversation: the server removes them, and it goes from the list at once
 * (the server's `conversation_updated` with `removed: true` would also take it off, and is no
 * news: see `leaving` in the conversations store). Throws the server's refusal.
 */
export async function leaveConversation(id: number): Promise<void> {
  const me = selfId()
  if (me === null) return
  await useConversations.getState().leave(id, me)
  forgetConversation(id)
}
