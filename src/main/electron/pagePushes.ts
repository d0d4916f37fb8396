import { EVENT_TYPES, type EventType } from '../../shared/eventTypes'
import type { AnyTidingsEvent } from '../../shared/events'
import type { PushChannel, PushMap } from '../../shared/ipc'
import type { RendererPage } from './paths'

/** The pushes one page gets: its push channels and, on events/event, the event types. */
export interface PagePushes {
  channels: ReadonlySet<PushChannel>
  eventTypes: ReadonlySet<EventType>
}

/**
 * The pushes each page is sent: the ones its code subscribes to (traced from main.tsx /
 * settings.tsx through the stores, like PAGE_CHANNELS for invokes), and no others. Electron-free,
 * so the Playwright harness sends pages exactly what the app would.
 *
 * The main window is the messenger: every stream event (the conversation list, threads, presence,
 * typing, toasts and the event monitor use them all), resyncs, its outbox, the connection state,
 * session, preferences (mute, clock), branding and "open this conversation" from a notification.
 * It shows no mail accounts, so it does not get accounts/changed.
 *
 * The settings window gets the session, preferences, branding and account changes, resyncs (the
 * account list reloads after one) and the only stream events it applies: the organization time
 * zone change (a system notification) and conversations created, renamed or left (its mute
 * list). Messages, receipts, presence and typing never reach it.
 */
export const PAGE_PUSHES: Readonly<Record<RendererPage, PagePushes>> = {
  'index.html': {
    channels: new Set<PushChannel>([
      'events/event',
      'events/resync',
      'connection/state',
      'session/changed',
      'outbox/changed',
      'settings/changed',
      'branding/changed',
      'navigation/openConversation',
    ]),
    eventTypes: new Set<EventType>(EVENT_TYPES),
  },
  'settings.html': {
    channels: new Set<PushChannel>([
      'events/event',
      'events/resync',
      'session/changed',
      'settings/changed',
      'branding/changed',
      'accounts/changed',
    ]),
    eventTypes: new Set<EventType>([
      'conversation_created',
      'conversation_updated',
      'system_notification',
    ]),
  },
}

/** Whether `page` is sent this push (see PAGE_PUSHES). */
export function pageReceives<C extends PushChannel>(
  page: RendererPage,
  channel: C,
  payload: PushMap[C],
): boolean {
  const allowed = PAGE_PUSHES[page]
  if (!allowed.channels.has(channel)) return false
  if (channel !== 'events/event') return true
  return allowed.eventTypes.has((payload as AnyTidingsEvent).type)
}
