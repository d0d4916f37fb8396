/**
 * The eighteen event types of the Tidings stream. Their order is the documented order; clients may
 * rely on the list being complete (the server rejects anything else in a subscription filter).
 */
export const EVENT_TYPES = [
  'message_sent',
  'message_received',
  'message_updated',
  'message_deleted',
  'conversation_created',
  'conversation_updated',
  'user_online',
  'user_offline',
  'typing_indicator',
  'contact_updated',
  'account_connected',
  'account_disconnected',
  'email_received',
  'email_sent',
  'system_notification',
  'user_deactivated',
  'user_reactivated',
  'user_role_changed',
] as const

export type EventType = (typeof EVENT_TYPES)[number]

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value)
}

/** Events that are delivered live only: never written to the database and never replayed. */
export const EPHEMERAL_EVENT_TYPES: readonly EventType[] = ['typing_indicator']
