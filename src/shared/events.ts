import type { EventType } from './eventTypes'
import type { Conversation, Message, Person } from './models'

/** Payloads per event type. The contact, account and email payloads are completed by their issue. */
export interface EventDataMap {
  message_sent: MessageEventData
  message_received: MessageEventData
  message_updated: MessageUpdatedData
  message_deleted: MessageDeletedData
  conversation_created: ConversationEventData
  conversation_updated: ConversationEventData
  user_online: PresenceData
  user_offline: PresenceData
  typing_indicator: TypingData
  contact_updated: Record<string, unknown>
  account_connected: Record<string, unknown>
  account_disconnected: Record<string, unknown>
  email_received: Record<string, unknown>
  email_sent: Record<string, unknown>
  system_notification: SystemNotificationData
}

export interface MessageEventData {
  conversation_id: number
  conversation_title: string | null
  sender_name: string
  message: Message
}

export interface Receipt {
  user_id: number
  kind: 'delivered' | 'read'
  up_to_message_id: number
}

/** Either an edited message or a receipt that moved a member's delivered/read marker. */
export interface MessageUpdatedData {
  conversation_id: number
  message?: Message
  receipt?: Receipt
}

export interface MessageDeletedData {
  conversation_id: number
  message_id: number
  message: Message
}

export interface ConversationEventData {
  conversation: Conversation
  change: 'created' | 'renamed' | 'members_added' | 'members_removed'
  /** True in the copy sent to a member who was removed: it no longer sees the conversation. */
  removed?: boolean
}

export interface PresenceData {
  user: Person
}

export interface TypingData {
  conversation_id: number
  user_id: number
  display_name: string
  is_typing: boolean
}

export interface SystemNotificationData {
  kind: 'broadcast' | 'timezone_changed'
  title: string
  body: string
  level: 'info' | 'warning' | 'critical'
  /** Present when kind is timezone_changed. */
  timezone?: string
}

/**
 * One event on the stream. `id` is its position in the user's stream and only grows; it is null
 * for ephemeral events (typing), which are never stored or replayed.
 */
export interface TidingsEvent<T extends EventType = EventType> {
  type: T
  id: number | null
  timestamp: string
  timezone: string
  data: EventDataMap[T]
}

export type AnyTidingsEvent = { [T in EventType]: TidingsEvent<T> }[EventType]
