import { useId, useState } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { ServerList } from '../../../shared/ipc'
import { serverAddress, serverInitials, useServers } from '../stores/servers'
import { useTranslator } from '../stores/locale'
import { ModalDialog } from './ModalDialog'
import { ServerManager } from './ServerManager'

const messages = defineMessages({
  railLabel: { id: 'serverRail.label', defaultMessage: 'Servers' },
  serverName: {
    id: 'serverRail.server.name',
    defaultMessage: '{name} ({address})',
    description: 'A server button’s accessible name: the server’s name and its address',
  },
  serverNameUnread: {
    id: 'serverRail.server.nameUnread',
    defaultMessage: '{name} ({address}), {count} unread',
    description: 'A server button’s accessible name with its unread messages',
  },
  serverTitle: {
    id: 'serverRail.server.title',
    defaultMessage: '{name}: {address}',
    description: 'A server button’s tooltip',
  },
  manage: { id: 'serverRail.manage', defaultMessage: 'Add or remove servers' },
})

/** Ctrl+1 … Ctrl+9 (⌘ on macOS) show the servers in the rail's order, as in Slack. */
export const SERVER_SHORTCUT_LIMIT = 9

/**
 * The server switcher down the left of the main window, as Mattermost Desktop and Slack have it:
 * a button per server and one to add or remove servers (a dialog). Every other server stays
 * signed in and connected while one is shown.
 */
export function ServerRail() {
  const list = useServers((s) => s.list)
  const [managing, setManaging] = useState(false)
  const headingId = useId()
  if (list === null) return null
  return (
    <>
      <ServerRailView
        list={list}
        mac={/Mac/.test(navigator.platform)}
        onShow={(serverId) => void useServers.getState().activate(serverId)}
        onManage={() => setManaging(true)}
      />
      {managing && (
        <ModalDialog
          labelledBy={headingId}
          testId="servers-dialog"
          onClose={() => setManaging(false)}
        >
          <h2 id={headingId}>
            <FormattedMessage id="serverRail.dialog.title" defaultMessage="Servers" />
          </h2>
          <p className="muted small">
            <FormattedMessage
              id="serverRail.dialog.intro"
              defaultMessage="Each server keeps its own sign-in, and its messages and notifications arrive while another one is shown."
            />
          </p>
          <ServerManager headingId={headingId} onAdded={() => setManaging(false)} />
          <div className="dialog__actions">
            <button type="button" className="button" onClick={() => setManaging(false)}>
              <FormattedMessage id="serverRail.dialog.close" defaultMessage="Close" />
            </button>
          </div>
        </ModalDialog>
      )}
    </>
  )
}

/**
 * The rail as shown: each server's initials and unread count, the one shown marked current, its
 * name, address and count in its accessible name and tooltip, its shortcut announced.
 */
export function ServerRailView({
  list,
  mac,
  onShow,
  onManage,
}: {
  list: ServerList
  mac: boolean
  onShow(serverId: string): void
  onManage(): void
}) {
  const intl = useIntl()
  const translator = useTranslator()
  return (
    <nav
      className="server-rail"
      aria-label={intl.formatMessage(messages.railLabel)}
      data-testid="server-rail"
    >
      <ul className="server-rail__list">
        {list.servers.map((server, index) => {
          const active = server.id === list.active_id
          const address = serverAddress(server, translator)
          const name =
            server.unread > 0
              ? intl.formatMessage(messages.serverNameUnread, {
                  name: server.name,
                  address,
                  count: server.unread,
                })
              : intl.formatMessage(messages.serverName, { name: server.name, address })
          const shortcut =
            index < SERVER_SHORTCUT_LIMIT ? `${mac ? 'Meta' : 'Control'}+${index + 1}` : undefined
          return (
            <li key={server.id}>
              <button
                type="button"
                className={`server-rail__server${active ? ' server-rail__server--active' : ''}`}
                data-testid="server-item"
                data-server-id={server.id}
                data-status={server.status}
                aria-current={active ? 'true' : undefined}
                aria-keyshortcuts={shortcut}
                title={intl.formatMessage(messages.serverTitle, { name: server.name, address })}
                onClick={() => {
                  if (!active) onShow(server.id)
                }}
              >
                {/* Letters of the server's name: never translated (nor by a browser). */}
                <span aria-hidden="true" translate="no">
                  {serverInitials(server, list.servers, translator)}
                </span>
                {/* The name read out: the initials are only its picture. */}
                <span className="visually-hidden">{name}</span>
                {server.unread > 0 && (
                  <span
                    className="server-rail__badge"
                    data-testid="server-unread"
                    aria-hidden="true"
                  >
                    {server.unread > 99 ? '99+' : server.unread}
                  </span>
                )}
              </button>
            </li>
          )
        })}
      </ul>
      <button
        type="button"
        className="server-rail__manage"
        data-testid="manage-servers"
        title={intl.formatMessage(messages.manage)}
        onClick={onManage}
      >
        <span aria-hidden="true">{'+'}</span>
        <span className="visually-hidden">{intl.formatMessage(messages.manage)}</span>
      </button>
    </nav>
  )
}

/** The server a Ctrl+digit (⌘+digit on macOS) shortcut names by its place, or null. */
export function serverForShortcut(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
  mac: boolean,
): number | null {
  const modifier = mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey
  if (!modifier || event.altKey || event.shiftKey) return null
  if (!/^[1-9]$/.test(event.key)) return null
  return Number(event.key) - 1
}
