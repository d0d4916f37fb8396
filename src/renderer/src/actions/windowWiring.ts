import { ipc } from '../ipcClient'
import { useBranding } from '../stores/branding'
import { useConnection } from '../stores/connection'
import { useAuditLog } from '../stores/auditLog'
import { useConversations } from '../stores/conversations'
import { useDataExport } from '../stores/dataExport'
import { useInvites } from '../stores/invites'
import { usePeople } from '../stores/people'
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
    // A link's form arrives here; taking it too means a reload does not fill it in again.
    tidings.subscribe('links/prefill', (prefill) => {
      useSession.getState().setLinkPrefill(prefill)
      void useSession.getState().takeLinkPrefill()
    }),
    tidings.subscribe(
      'navigation/openConversation',
      ({ conversation_id }) => void openConversation(conversation_id),
    ),
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
    await useSession.getState().takeLinkPrefill()
    await Promise.all(loads)
  })()
  return () => {
    for (const off of unsubscribe) off()
  }
}

/** Forgets the admin console's people, invites and audit log (they load again when shown). */
function resetAdminConsole(): void {
  usePeople.getState().reset()
  useInvites.getState().reset()
  useAuditLog.getState().reset()
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
    tidings.subscribe('session/exportProgress', (progress) =>
      useDataExport.getState().progress(progress),
    ),
    tidings.subscribe('session/changed', (session) => {
      // Another server (or user): its conversations and admin console lists are not these.
      const otherAccount = accountOf(useSession.getState().session) !== accountOf(session)
      if (otherAccount) useConversations.getState().reset()
      useSession.getState().set(session)
      void useConversations.getState().load()
      // Another account, or no longer an administrator: the admin console's lists are not theirs.
      if (otherAccount || session.user?.role !== 'admin') resetAdminConsole()
    }),
    tidings.subscribe('servers/changed', (list) => useServers.getState().set(list)),
    tidings.subscribe('updates/state', (state) => useUpdates.getState().set(state)),
    // Someone else's app, or an administrator elsewhere, changed a person: the list follows.
    ...(['user_deactivated', 'user_reactivated', 'user_role_changed'] as const).map((type) =>
      tidings.on(type, () => {
        if (usePeople.getState().loaded) void usePeople.getState().load()
      }),
    ),
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
