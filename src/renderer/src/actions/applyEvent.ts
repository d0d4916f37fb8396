import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { TidingsEvent } from '../../../shared/events'
import type { AnyTidingsEvent } from '../../../shared/events'
import type { EventType } from '../../../shared/eventTypes'
import { useBranding } from '../stores/branding'
import { useEventMonitor } from '../stores/eventMonitor'
import { translate } from '../stores/locale'
import { usePresence } from '../stores/presence'
import { selfId } from '../stores/session'
import { useToasts } from '../stores/toasts'
import { useTyping } from '../stores/typing'
import { onConversationChanged } from './conversationEvents'
import { onMessage, onMessageDeleted, onMessageUpdated } from './messageEvents'

type Reducer<T extends EventType> = (event: TidingsEvent<T>) => void

const messages = defineMessages({
  timezoneTitle: { id: 'toast.timezone.title', defaultMessage: 'Timezone changed' },
  timezoneBody: { id: 'toast.timezone.body', defaultMessage: 'Times are now shown in {zone}.' },
})

/**
 * The main window's reducer of each stream event type, which applies it to every store it
 * concerns. Contact, account and email events have none: they are only listed in the event
 * monitor for now.
 */
const REDUCERS: { [T in EventType]?: Reducer<T> } = {
  message_sent: onMessage,
  message_received: onMessage,
  message_updated: onMessageUpdated,
  message_deleted: onMessageDeleted,
  conversation_created: onConversationChanged,
  conversation_updated: onConversationChanged,
  user_online: (event) => usePresence.getState().setOnline(event.data.user, true),
  user_offline: (event) => usePresence.getState().setOnline(event.data.user, false),
  user_deactivated: (event) => usePresence.getState().setPerson(event.data.user),
  user_reactivated: (event) => usePresence.getState().setPerson(event.data.user),
  user_role_changed: (event) => usePresence.getState().setPerson(event.data.user),
  typing_indicator: (event) => {
    const { conversation_id, user_id, display_name, is_typing } = event.data
    if (user_id !== selfId()) {
      useTyping.getState().set(conversation_id, user_id, display_name, is_typing)
    }
  },
  system_notification: (event) => {
    const { kind, timezone, title, body, level } = event.data
    const zoneChange = kind === 'timezone_changed' && timezone
    if (zoneChange) useBranding.getState().setTimezone(timezone)
    // A broadcast is the admin's own words; a time zone change is worded here, in the window's
    // language (the server's words are English).
    useToasts.getState().push({
      kind: 'system_notification',
      title: zoneChange ? translate(messages.timezoneTitle) : title,
      body: zoneChange ? translate(messages.timezoneBody, { zone: timezone }) : body,
      level,
      conversation_id: null,
      timestamp: event.timestamp,
    })
  },
}

/** Applies one stream event: the event monitor lists it, and its type's reducer applies it. */
export function applyEvent(event: AnyTidingsEvent): void {
  useEventMonitor.getState().add(event)
  // The table holds each type's own reducer; TypeScript cannot pair the two through the union.
  const reducer = REDUCERS[event.type] as Reducer<typeof event.type> | undefined
  reducer?.(event)
}
