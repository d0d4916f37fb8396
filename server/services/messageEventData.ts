import type { MessageEventData } from '../../src/shared/events'
import type { Conversation, Message, Platform } from '../../src/shared/models'

/**
 * The data of message_sent and message_received: today's fields, and the flat fields of the
 * original description of this system (`message_id`, `message_text`, `receiver_name`,
 * `platform`; `conversation_id` and `sender_name` are in both), so a client written against that
 * description works unchanged. Built once per send and shared by both events, as their audiences
 * see the same message.
 */
export function messageEventData(
  message: Message,
  conversationTitle: string | null,
  receiverName: string,
  platform: Platform,
): MessageEventData {
  return {
    conversation_id: message.conversation_id,
    conversation_title: conversationTitle,
    sender_name: message.sender_name,
    message,
    message_id: message.id,
    receiver_name: receiverName,
    message_text: message.text,
    platform,
  }
}

/**
 * The receiver's name from a conversation's full view, by the rule of Conversations.requireSender:
 * the title, else the members other than the sender, else the sender (the only member).
 */
export function receiverNameOf(conversation: Conversation, senderId: number): string {
  if (conversation.title !== null) return conversation.title
  const others = conversation.members.filter((m) => m.user_id !== senderId)
  const named = others.length > 0 ? others : conversation.members
  return named.map((m) => m.display_name).join(', ')
}
