import type { EventType } from './eventTypes'
import type {
  Contact,
  Conversation,
  ExternalMessageRecord,
  Message,
  Person,
  Platform,
  PlatformAccount,
  ThreadFollow,
  User,
} from './models'

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
  contact_updated: ContactUpdatedData
  account_connected: AccountEventData
  account_disconnected: AccountEventData
  email_received: EmailReceivedData
  email_sent: EmailSentData
  system_notification: SystemNotificationData
  user_deactivated: UserChangedData
  user_reactivated: UserChangedData
  user_role_changed: UserChangedData
}

export interface MessageEventData {
  conversation_id: number
  conversation_title: string | null
  sender_name: string
  message: Message
  /**
   * The flat fields of the original description of this system, for clients written against it
   * (`message.id` and `message.text` again). Events stored by an older server lack them.
   */
  message_id?: number
  /** The conversation's title, else the other members' names (a direct conversation: the peer's). */
  receiver_name?: string
  message_text?: string
  platform?: Platform
  /**
   * On a thread reply only: who follows the thread now (its starter and repliers, less those
   * who unfollowed), so that each recipient can tell whether the reply is news to them.
   */
  thread_follower_ids?: number[]
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
  /** The recipient's own following of a thread changed (to that user's devices only). */
  thread_follow?: ThreadFollow
}

export interface MessageDeletedData {
  conversation_id: number
  message_id: number
  message: Message
  /**
   * True when the retention policy removed the message (it is gone from the server, not a
   * tombstone): clients remove it from the thread instead of showing "deleted". Absent otherwise.
   */
  expired?: true
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

/**
 * kind 'contact': one of the user's own contacts was created, updated or deleted (to the owner's
 * devices). kind 'profile': someone who shares a conversation with the user changed their profile.
 */
export type ContactUpdatedData =
  | { kind: 'contact'; action: 'created' | 'updated' | 'deleted'; contact: Contact }
  | { kind: 'profile'; action: 'updated'; user: User }

/** A connected account came up (again) or went away: removed, refused, or unreachable. */
export interface AccountEventData {
  account_id: number
  platform: PlatformAccount['platform']
  display_name: string
  state: PlatformAccount['state']
  /** Why it is disconnected (null on account_connected). */
  reason: string | null
  account: PlatformAccount
}

/** A mail was imported into a conversation (also announced as message_received). */
export interface EmailReceivedData {
  account_id: number
  conversation_id: number
  message_id: number
  from: string | null
  from_name: string | null
  subject: string | null
  /** 'received', or 'malformed' when part of it could not be read (`email.reason`). */
  state: ExternalMessageRecord['state']
  email: ExternalMessageRecord
}

/** The outcome of one delivery attempt: accepted by the mail server ('sent') or 'failed'. */
export interface EmailSentData {
  account_id: number
  conversation_id: number
  message_id: number
  state: 'sent' | 'failed'
  reason: string | null
  email: ExternalMessageRecord
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
 * An administrator deactivated or reactivated an account, or changed its role: the user as they
 * are now (`deactivated` set on a deactivated account, `online` false for it). Every active user
 * receives it, so that pickers, presence and the "deactivated" mark follow at once.
 */
export interface UserChangedData {
  user: Person
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
