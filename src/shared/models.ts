/**
 * The records the server returns over REST and inside events. Field names are the wire names
 * (snake_case); timestamps are RFC 3339 strings in UTC ending in `Z`.
 */

export type Role = 'admin' | 'member'

export interface User {
  id: number
  username: string
  display_name: string
  role: Role
}

/** A user as listed to others, with live presence. */
export interface Person extends User {
  online: boolean
}

export interface AuthResult {
  token: string
  user: User
}

/** Where a conversation's messages come from: Tidings itself or a connected platform. */
export type Platform = 'tidings' | 'email' | 'whatsapp' | 'telegram'

export interface Member {
  user_id: number
  username: string
  display_name: string
  /** Highest message id this member has read (0 when none). */
  last_read_message_id: number
  /** Highest message id delivered to one of this member's devices (0 when none). */
  last_delivered_message_id: number
}

export interface Message {
  id: number
  conversation_id: number
  sender_id: number
  sender_name: string
  client_id: string
  /** Empty once the message is deleted. */
  text: string
  created_at: string
  edited_at: string | null
  deleted_at: string | null
}

export interface Conversation {
  id: number
  title: string | null
  kind: 'direct' | 'group'
  platform: Platform
  created_by: number
  created_at: string
  updated_at: string
  members: Member[]
  last_message: Message | null
  /** Messages from others newer than the caller's read marker (per caller; 0 inside events). */
  unread_count: number
}

export interface MessagePage {
  messages: Message[]
  /** Pass as `before` to get the next older page; null when the start of history is reached. */
  next_before: number | null
}

export interface Branding {
  timezone: string
  organization_name: string
}

export interface EventsInfo {
  websocket_url: string
  event_types: string[]
  message: string
}
