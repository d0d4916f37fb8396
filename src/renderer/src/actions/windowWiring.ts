import { ipc } from '../ipcClient'
import { useBranding } from '../stores/branding'
import { useConnection } from '../stores/connection'
import { useConversations } from '../stores/conversations'
import { useInvite } from '../stores/invite'
import { usePreferences } from '../stores/preferences'
import { useServers } from '../stores/servers'
import { accountOf, useSession } from '../stores/session'
import { useUi } from '../stores/ui'
import { useUpdates } from '../stores/updates'
import { applyEvent } from './applyEvent'
import { applyOutboxChange } from './messageEvents'
import { openConversation } from './navigation'
import { markActiveRead } from './readTracking'
import { applySession, resync } from './userData'

/** Each window's wiring: its first loads, and what it does with every push main sends it. */

/** The window gained or lost focus. */
export function setWindowFocused(focused: boolean): void {
  useUi.getState().setWindowFocused(focused)
  if (focused) markActiveRead()
}

/** Wires the main window: initial loads and every push. Returns the unsubscribe. */
export function initMainWindow(): () => void {
  const tidings = ipc()
  const unsubscribe = [
    tidings.on('*', applyEvent),
    tidings.subscribe('events/resync', () => void resync()),
    tidings.subscribe('outbox/changed', applyOutboxChange),
    tidings.subscribe('connection/state', (state) => useConnection.getState().set(state)),
    tidings.subscribe('settings/changed', (prefs) => usePreferences.getState().set(prefs)),
    tidings.subscribe('branding/changed', (branding) => useBranding.getState().set(branding)),
    tidings.subscribe('session/changed', (session) => void applySession(session)),
    tidings.subscribe(
      'navigation/openConversation',
      ({ conversation_id }) => void openConversation(conversation_id),
    ),
    tidings.subscribe('navigation/invite', (invite) => useInvite.getState().offer(invite)),
    tidings.subscribe('servers/changed', (list) => useServers.getState().set(list)),
    tidings.subscribe('updates/state', (state) => useUpdates.getState().set(state)),
  ]
  void (async () => {
    const loads = [
      useConnection.getState().load(),
      useBranding.getState().load(),
      usePreferences.getState().load(),
      useServers.getState().load(),
      useUpdates.getState().load(),
    ]
    const session = await tidings['session/get']().catch(() => null)
    if (session) await applySession(session)
    await Promise.all(loads)
  })()
  return () => {
    for (const off of unsubscribe) off()
  }
}

/**
 * Wires the settings window: it shows the session, branding, preferences and conversations of the
 * server the main window shows, the server list and the updater.
 */
export function initSettingsWindow(): () => void {
  const tidings = ipc()
  const unsubscribe = [
    tidings.subscribe('settings/changed', (prefs) => usePreferences.getState().set(prefs)),
    tidings.subscribe('branding/changed', (branding) => useBranding.getState().set(branding)),
    tidings.subscribe('session/changed', (session) => {
      // Another server's conversations are not these: the list is replaced, not merged.
      if (accountOf(useSession.getState().session) !== accountOf(session)) {
        useConversations.getState().reset()
      }
      useSession.getState().set(session)
      void useConversations.getState().load()
    }),
    tidings.subscribe('servers/changed', (list) => useServers.getState().set(list)),
    tidings.subscribe('updates/state', (state) => useUpdates.getState().set(state)),
    tidings.on('system_notification', (event) => {
      if (event.data.kind === 'timezone_changed' && event.data.timezone) {
        useBranding.getState().setTimezone(event.data.timezone)
      }
    }),
    tidings.on('conversation_created', (event) =>
      useConversations.getState().upsert(event.data.conversation),
    ),
    tidings.on('conversation_updated', (event) =>
      event.data.removed
        ? useConversations.getState().remove(event.data.conversation.id)
        : useConversations.getState().upsert(event.data.conversation),
    ),
  ]
  void Promise.all([
    useSession.getState().load(),
    useBranding.getState().load(),
    usePreferences.getState().load(),
    useConversations.getState().load(),
    useServers.getState().load(),
    useUpdates.getState().load(),
  ])
  return () => {
    for (const off of unsubscribe) off()
  }
}
