import { ipc } from '../ipcClient'
import { useBranding } from '../stores/branding'
import { useConnection } from '../stores/connection'
import { useConversations } from '../stores/conversations'
import { useDataExport } from '../stores/dataExport'
import { usePreferences } from '../stores/preferences'
import { useSession } from '../stores/session'
import { useUi } from '../stores/ui'
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
  ]
  void (async () => {
    const loads = [
      useConnection.getState().load(),
      useBranding.getState().load(),
      usePreferences.getState().load(),
    ]
    const session = await tidings['session/get']().catch(() => null)
    if (session) await applySession(session)
    await Promise.all(loads)
  })()
  return () => {
    for (const off of unsubscribe) off()
  }
}

/** Wires the settings window: it shows session, branding, preferences and the conversations. */
export function initSettingsWindow(): () => void {
  const tidings = ipc()
  const unsubscribe = [
    tidings.subscribe('settings/changed', (prefs) => usePreferences.getState().set(prefs)),
    tidings.subscribe('branding/changed', (branding) => useBranding.getState().set(branding)),
    tidings.subscribe('session/exportProgress', (progress) =>
      useDataExport.getState().progress(progress),
    ),
    tidings.subscribe('session/changed', (session) => {
      useSession.getState().set(session)
      void useConversations.getState().load()
    }),
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
  ])
  return () => {
    for (const off of unsubscribe) off()
  }
}
