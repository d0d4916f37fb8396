import { useEffect, useState } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { ConnectionStatus } from './components/ConnectionStatus'
import { ConversationList } from './components/ConversationList'
import { EventMonitor } from './components/EventMonitor'
import { LoginView } from './components/LoginView'
import { NewConversationDialog } from './components/NewConversationDialog'
import { SearchField } from './components/SearchField'
import { SearchResults } from './components/SearchResults'
import { ServerRail, serverForShortcut } from './components/ServerRail'
import { Thread } from './components/Thread'
import { ThreadPanel } from './components/ThreadPanel'
import { ThreadsView } from './components/ThreadsView'
import { Toasts } from './components/Toasts'
import { UpdateBanner } from './components/UpdateBanner'
import { inviteLink } from '../../shared/deepLinks'
import { signOut } from './actions/userData'
import { initMainWindow, setWindowFocused } from './actions/windowWiring'
import { useBranding } from './stores/branding'
import { useConversations } from './stores/conversations'
import { unreadThreadCount, useFollowedThreads } from './stores/followedThreads'
import { useSearch } from './stores/search'
import { useServers } from './stores/servers'
import { accountOf, useSession } from './stores/session'
import { useThreadPanel } from './stores/threadPanel'
import { useUi } from './stores/ui'
import { useUpdates } from './stores/updates'

/**
 * The main window: the update bar, the top bar, the server switcher, and for the server shown its
 * sign-in, or its conversation list and thread; toasts and the event monitor.
 */
export function App() {
  const session = useSession((s) => s.session)
  const monitorOpen = useUi((s) => s.monitorOpen)

  useEffect(() => initMainWindow(), [])

  useEffect(() => {
    const onFocus = () => setWindowFocused(true)
    const onBlur = () => setWindowFocused(false)
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey && e.shiftKey && e.key.toLowerCase() === 'e') {
        e.preventDefault()
        useUi.getState().toggleMonitor()
        return
      }
      const index = serverForShortcut(e, /Mac/.test(navigator.platform))
      const server = index === null ? undefined : useServers.getState().list?.servers[index]
      if (server) {
        e.preventDefault()
        void useServers.getState().activate(server.id)
      }
    }
    setWindowFocused(document.hasFocus())
    window.addEventListener('focus', onFocus)
    window.addEventListener('blur', onBlur)
    window.addEventListener('keydown', onKey)
    return () => {
      window.removeEventListener('focus', onFocus)
      window.removeEventListener('blur', onBlur)
      window.removeEventListener('keydown', onKey)
    }
  }, [])

  const signedIn = Boolean(session?.user)
  return (
    <div className={`app${monitorOpen ? ' app--monitor' : ''}`}>
      <UpdateBar />
      {/* Its invite belongs to one server's admin: another account starts without one. */}
      <TopBar key={accountOf(session) ?? 'signed-out'} />
      <div className="app__body">
        <ServerRail />
        {session === null ? (
          <main className="loading muted" aria-busy="true">
            <FormattedMessage id="app.loading" defaultMessage="Loading…" />
          </main>
        ) : signedIn ? (
          <Workspace />
        ) : (
          <main className="app__login">
            {/* A form per server: another server's typing and invite are not this one's. */}
            <LoginView key={session.server_url} />
          </main>
        )}
      </div>
      {monitorOpen && <EventMonitor />}
      <Toasts />
    </div>
  )
}

/** "Restart to update" once main has a downloaded update ready; otherwise an empty row. */
function UpdateBar() {
  const state = useUpdates((s) => s.state)
  return (
    <div className="app__notices">
      <UpdateBanner state={state} onRestart={() => void useUpdates.getState().restart()} />
    </div>
  )
}

function TopBar() {
  const user = useSession((s) => s.session?.user ?? null)
  // The bundled server listens on this machine only: a link to it would help nobody else.
  const sharedServer = useSession((s) =>
    s.session && !s.session.embedded ? s.session.server_url : null,
  )
  const org = useBranding((s) => s.branding.organization_name)
  const monitorOpen = useUi((s) => s.monitorOpen)
  const intl = useIntl()
  const [invite, setInvite] = useState<string | null>(null)
  async function createInvite() {
    setInvite(await useSession.getState().createInvite())
  }
  return (
    <header className="topbar">
      <span className="topbar__brand" translate="no">
        {org}
      </span>
      <ConnectionStatus />
      <nav
        className="topbar__actions"
        aria-label={intl.formatMessage({ id: 'topbar.label', defaultMessage: 'Application' })}
      >
        {invite && (
          <output className="invite small" data-testid="invite-code">
            <FormattedMessage
              id="topbar.inviteCode"
              defaultMessage="Invite code: {code}"
              values={{ code: <code translate="no">{invite}</code> }}
            />
          </output>
        )}
        {invite && sharedServer && (
          // One click for the invitee: tidings://invite opens the registration form filled in.
          <output className="invite invite--link small" data-testid="invite-link">
            <FormattedMessage
              id="topbar.inviteLink"
              defaultMessage="Invite link: {link}"
              values={{
                link: (
                  <code title={inviteLink(sharedServer, invite)} translate="no">
                    {inviteLink(sharedServer, invite)}
                  </code>
                ),
              }}
            />
          </output>
        )}
        {user?.role === 'admin' && (
          <button
            type="button"
            className="button button--small"
            onClick={() => void createInvite()}
          >
            <FormattedMessage id="topbar.createInvite" defaultMessage="Create invite" />
          </button>
        )}
        <button
          type="button"
          className="button button--small"
          aria-pressed={monitorOpen}
          aria-keyshortcuts="Control+Shift+E"
          data-testid="toggle-event-monitor"
          onClick={() => useUi.getState().toggleMonitor()}
        >
          <FormattedMessage
            id="topbar.events"
            defaultMessage="Events"
            description="Opens the event monitor (the stream's events, for the curious)"
          />
        </button>
        <button
          type="button"
          className="button button--small"
          data-testid="open-settings"
          onClick={() => void useUi.getState().openSettings()}
        >
          <FormattedMessage id="topbar.settings" defaultMessage="Settings" />
        </button>
        {user && (
          <>
            <span className="topbar__user small" data-testid="current-user" dir="auto">
              {user.display_name}
            </span>
            <button
              type="button"
              className="button button--small"
              data-testid="sign-out"
              onClick={() => void signOut()}
            >
              <FormattedMessage id="topbar.signOut" defaultMessage="Sign out" />
            </button>
          </>
        )}
      </nav>
    </header>
  )
}

function Workspace() {
  const activeId = useConversations((s) => s.activeId)
  const searching = useSearch((s) => s.query.trim() !== '')
  const threadsViewOpen = useFollowedThreads((s) => s.viewOpen)
  const panel = useThreadPanel((s) => s.open)
  const [dialogOpen, setDialogOpen] = useState(false)
  const panelShown = !threadsViewOpen && panel !== null && panel.conversationId === activeId
  const intl = useIntl()
  return (
    <div className={`workspace${panelShown ? ' workspace--thread' : ''}`}>
      <nav
        className="sidebar"
        aria-label={intl.formatMessage({ id: 'sidebar.label', defaultMessage: 'Conversations' })}
      >
        <div className="sidebar__header">
          <h1 className="sidebar__title">
            <FormattedMessage id="sidebar.title" defaultMessage="Conversations" />
          </h1>
          <button
            type="button"
            className="button button--primary button--small"
            data-testid="new-conversation"
            onClick={() => setDialogOpen(true)}
          >
            <FormattedMessage id="sidebar.newConversation" defaultMessage="New conversation" />
          </button>
        </div>
        <SearchField />
        <ThreadsButton />
        {searching ? <SearchResults /> : <ConversationList />}
      </nav>
      <main className="main">
        {threadsViewOpen ? (
          <ThreadsView />
        ) : activeId !== null ? (
          <Thread key={activeId} conversationId={activeId} />
        ) : (
          <p className="empty muted">
            <FormattedMessage
              id="workspace.empty"
              defaultMessage="Choose a conversation, or start a new one."
            />
          </p>
        )}
      </main>
      {panelShown && (
        <ThreadPanel
          key={panel.rootId}
          conversationId={panel.conversationId}
          rootId={panel.rootId}
        />
      )}
      {dialogOpen && <NewConversationDialog onClose={() => setDialogOpen(false)} />}
    </div>
  )
}

/** Opens the Threads view; says how many followed threads have replies not read yet. */
function ThreadsButton() {
  const open = useFollowedThreads((s) => s.viewOpen)
  const unread = useFollowedThreads((s) => unreadThreadCount(s.threads))
  return (
    <button
      type="button"
      className={`threads-button${open ? ' threads-button--active' : ''}`}
      aria-current={open ? 'page' : undefined}
      data-testid="open-threads"
      onClick={() => useFollowedThreads.getState().showView()}
    >
      <span>
        <FormattedMessage id="threads.button" defaultMessage="Threads" />
      </span>
      {unread > 0 && (
        <span className="unread-badge" data-testid="threads-unread">
          <FormattedMessage
            id="threads.button.unread"
            defaultMessage="{count, number} <hidden>with unread replies</hidden>"
            values={{
              count: unread,
              hidden: (chunks) => <span className="visually-hidden">{chunks}</span>,
            }}
          />
        </span>
      )}
    </button>
  )
}
