import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { TidingsEvent } from '../../../shared/events'
import { conversationTitle, useConversations } from '../stores/conversations'
import { usePresence } from '../stores/presence'
import { translate } from '../stores/locale'
import { selfId } from '../stores/session'
import { useToasts } from '../stores/toasts'
import { forgetConversation } from './membership'

const messages = defineMessages({
  removedTitle: { id: 'toast.removed.title', defaultMessage: 'Removed from conversation' },
  removedBody: {
    id: 'toast.removed.body',
    defaultMessage: 'You are no longer a member of {title}.',
  },
  addedTitle: { id: 'toast.added.title', defaultMessage: 'New conversation' },
  addedBody: { id: 'toast.added.body', defaultMessage: 'You were added to {title}.' },
})

/**
 * A conversation created, renamed, its members changed, or the user removed from it: the list,
 * and a toast when someone else added the user or removed them.
 */
export function onConversationChanged(
  event: TidingsEvent<'conversation_created' | 'conversation_updated'>,
): void {
  const { conversation, removed, change } = event.data
  const me = selfId()
  const conversations = useConversations.getState()
  const known = conversation.id in conversations.byId
  const title = conversationTitle(conversation, me, usePresence.getState().people)
  if (removed) {
    // Leaving from this window says so itself; no "removed" toast for it.
    const left = conversations.takeLeaving(conversation.id)
    forgetConversation(conversation.id)
    if (left) return
    useToasts.getState().push({
      kind: 'conversation_updated',
      title: translate(messages.removedTitle),
      body: translate(messages.removedBody, { title }),
      conversation_id: null,
      timestamp: event.timestamp,
    })
    return
  }
  conversations.upsert(conversation)
  const addedByOther =
    !known &&
    (event.type === 'conversation_created' || change === 'members_added') &&
    conversation.created_by !== me
  if (addedByOther) {
    useToasts.getState().push({
      kind: event.type,
      title: translate(messages.addedTitle),
      body: translate(messages.addedBody, { title }),
      conversation_id: conversation.id,
      timestamp: event.timestamp,
    })
  }
}
