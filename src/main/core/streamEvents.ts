import type { AnyTidingsEvent } from '../../shared/events'
import { plainText } from '../../shared/markdown'
import { isThreadOnly } from '../../shared/threads'
import type { CoreParts } from './handlers'

/**
 * Keeps the core's own view in step with the stream: the unread counts, the outbox (a send
 * confirmed by its event), bursts of notifications still gathering (edits, deletions), drafts and
 * pins of conversations the user is no longer in, mail accounts, the organization timezone and
 * the signed-in user's role (or their account's deactivation).
 * Runs for every event, before it is passed to the windows.
 */
export function applyStreamEvent(parts: CoreParts, event: AnyTidingsEvent): void {
  const { sessions, unread, notifications, preferences, branding } = parts
  const session = sessions.current
  if (event.timezone) branding.noteEventTimezone(event.timezone)
  switch (event.type) {
    case 'message_received':
      // A reply in a thread only counts in the Threads view, not in its conversation.
      if (!isThreadOnly(event.data.message)) unread.messageReceived(event.data.message)
      return
    case 'message_sent':
      session?.outbox.confirmFromEvent(event.data.message)
      return
    case 'message_updated': {
      const { receipt, message, conversation_id } = event.data
      if (message) notifications.messageEdited(message.id, plainText(message.text))
      if (receipt && receipt.kind === 'read' && receipt.user_id === session?.user.id) {
        unread.readUpTo(conversation_id, receipt.up_to_message_id)
      }
      return
    }
    case 'message_deleted':
      notifications.messageDeleted(event.data.message_id)
      unread.messageDeleted(event.data.conversation_id, event.data.message_id)
      return
    case 'conversation_created':
    case 'conversation_updated': {
      const { conversation, removed } = event.data
      if (removed) {
        unread.removeConversation(conversation.id)
        // No longer a member: the draft could never be sent.
        session?.drafts.delete(conversation.id)
        preferences.forgetPin(conversation.id)
      } else {
        unread.addConversation(conversation)
        unread.publish()
      }
      return
    }
    case 'account_connected':
    case 'account_disconnected':
      parts.publishAccount(event.data.account)
      return
    case 'system_notification':
      if (event.data.kind === 'timezone_changed' && event.data.timezone) {
        branding.timezoneChanged(event.data.timezone)
      }
      return
    case 'user_role_changed':
      sessions.userChanged(event.data.user)
      return
    case 'user_deactivated':
      // The server closes the account's sockets (4001) too; whichever comes first signs out.
      if (event.data.user.id === session?.user.id) sessions.forget()
      return
    default:
      return
  }
}
