import { useId, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { ServerList, ServerSummary } from '../../../shared/ipc'
import { needsUnencryptedConfirmation } from '../../../shared/serverAddress'
import { useTranslator } from '../stores/locale'
import { serverAddress, useServers } from '../stores/servers'

const messages = defineMessages({
  shown: { id: 'serverManager.status.shown', defaultMessage: 'Shown' },
  signedOut: { id: 'serverManager.status.signedOut', defaultMessage: 'Signed out' },
  unread: { id: 'serverManager.status.unread', defaultMessage: '{count} unread' },
  invalidAddress: {
    id: 'serverManager.add.invalid',
    defaultMessage: 'Enter an http:// or https:// address.',
  },
  unencryptedProblem: {
    id: 'serverManager.add.unencryptedProblem',
    defaultMessage: 'This server is not encrypted: confirm below, or use an https:// address.',
  },
  addressPlaceholder: {
    id: 'serverManager.add.placeholder',
    defaultMessage: 'https://chat.example.com',
    description: 'An example of a server address',
  },
})

/**
 * The server list with what can be done to it: each server's name, address and unread count, a
 * Remove that asks first (signing out there, and deleting what this computer kept of it), and a
 * form to add one by its address (or the built-in server back). Used by Settings → Servers and by
 * the main window's "Add or remove servers" dialog.
 */
export function ServerManager({
  headingId,
  onAdded,
}: {
  headingId?: string
  /** A server was added (and is shown now). */
  onAdded?: () => void
}) {
  const list = useServers((s) => s.list)
  const error = useServers((s) => s.error)
  const adding = useServers((s) => s.adding)
  const removing = useServers((s) => s.removing)
  if (list === null) {
    return (
      <p className="muted small">
        <FormattedMessage id="serverManager.loading" defaultMessage="Loading…" />
      </p>
    )
  }
  const { add, remove, clearError } = useServers.getState()
  return (
    <ServerManagerView
      list={list}
      error={error}
      adding={adding}
      removing={removing}
      headingId={headingId}
      onAdd={async (url, unencryptedConfirmed) => {
        const added = await add(url, unencryptedConfirmed)
        if (added) onAdded?.()
        return added
      }}
      onRemove={remove}
      onEdit={clearError}
    />
  )
}

export interface ServerManagerViewProps {
  list: ServerList
  error: string | null
  adding: boolean
  /** The server being removed. */
  removing: string | null
  headingId?: string
  /**
   * Adds a server by its address (null: the built-in one); true once added. A plain-http remote
   * address comes with `unencryptedConfirmed`, the user's tick.
   */
  onAdd(url: string | null, unencryptedConfirmed?: boolean): Promise<boolean>
  onRemove(serverId: string): Promise<boolean>
  /** The address is being edited: an earlier failure no longer applies. */
  onEdit(): void
}

/** The manager as shown, from its props. */
export function ServerManagerView(props: ServerManagerViewProps) {
  const { list, error } = props
  return (
    <div className="server-manager">
      <ul className="server-list" data-testid="server-list" aria-labelledby={props.headingId}>
        {list.servers.map((server) => (
          <ServerRow key={server.id} server={server} {...props} />
        ))}
      </ul>
      {error && (
        <p className="form-error" role="alert" data-testid="servers-error">
          {error}
        </p>
      )}
      {list.can_change ? (
        <AddServerForm {...props} />
      ) : (
        <p className="muted small" role="note">
          <FormattedMessage
            id="serverManager.fixed"
            defaultMessage="Tidings was started for this server alone (--server-url or TIDINGS_SERVER_URL), so servers cannot be added or removed."
          />
        </p>
      )}
    </div>
  )
}

function ServerRow({
  server,
  list,
  removing,
  onRemove,
}: { server: ServerSummary } & ServerManagerViewProps) {
  const [confirming, setConfirming] = useState(false)
  const id = useId()
  const intl = useIntl()
  const translator = useTranslator()
  const active = server.id === list.active_id
  const removable = list.can_change && list.servers.length > 1
  const status = [
    active ? intl.formatMessage(messages.shown) : null,
    server.signed_in ? null : intl.formatMessage(messages.signedOut),
    server.unread > 0 ? intl.formatMessage(messages.unread, { count: server.unread }) : null,
  ]
  return (
    <li className="server-list__row" data-testid="server-row" data-server-id={server.id}>
      <div className="server-list__text">
        <span className="server-list__name" id={`${id}-name`}>
          {server.name}
        </span>
        <span className="muted small">{serverAddress(server, translator)}</span>
        <span className="small">{status.filter(Boolean).join(' · ')}</span>
      </div>
      {removable && !confirming && (
        <button
          type="button"
          className="button button--small"
          data-testid="server-remove"
          aria-describedby={`${id}-name`}
          onClick={() => setConfirming(true)}
        >
          <FormattedMessage id="serverManager.remove" defaultMessage="Remove" />
        </button>
      )}
      {confirming && (
        <div className="server-list__confirm" role="group" aria-labelledby={`${id}-ask`}>
          <p id={`${id}-ask`} className="small">
            <FormattedMessage
              id="serverManager.remove.question"
              defaultMessage="Remove {name}? You are signed out there, and its unsent messages and drafts on this computer are deleted."
              values={{ name: server.name }}
            />
          </p>
          <div className="row">
            <button
              type="button"
              className="button button--small button--danger"
              data-testid="server-remove-confirm"
              disabled={removing !== null}
              onClick={() => void onRemove(server.id).then(() => setConfirming(false))}
            >
              <FormattedMessage id="serverManager.remove.confirm" defaultMessage="Remove server" />
            </button>
            <button
              type="button"
              className="button button--small"
              onClick={() => setConfirming(false)}
            >
              <FormattedMessage id="serverManager.remove.cancel" defaultMessage="Keep it" />
            </button>
          </div>
        </div>
      )}
    </li>
  )
}

function AddServerForm({ list, adding, onAdd, onEdit }: ServerManagerViewProps) {
  const [address, setAddress] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [accepted, setAccepted] = useState(false)
  const id = useId()
  const intl = useIntl()
  // Plain http:// to another machine: the network can read the password and every message.
  const unencrypted = needsUnencryptedConfirmation(address.trim())
  async function submit(e: FormEvent) {
    e.preventDefault()
    const url = address.trim()
    const parsed = URL.canParse(url) ? new URL(url) : null
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      setProblem(intl.formatMessage(messages.invalidAddress))
      return
    }
    if (unencrypted && !accepted) {
      setProblem(intl.formatMessage(messages.unencryptedProblem))
      return
    }
    setProblem(null)
    if (await onAdd(url, unencrypted && accepted)) {
      setAddress('')
      setAccepted(false)
    }
  }
  return (
    <form className="server-add" onSubmit={(e) => void submit(e)} data-testid="server-add-form">
      <label htmlFor={`${id}-url`}>
        <FormattedMessage
          id="serverManager.add.label"
          defaultMessage="Add a server by its address"
        />
      </label>
      <div className="row">
        <input
          id={`${id}-url`}
          type="url"
          data-testid="server-url"
          placeholder={intl.formatMessage(messages.addressPlaceholder)}
          value={address}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
          onChange={(e) => {
            setAddress(e.target.value)
            setAccepted(false)
            onEdit()
          }}
        />
        <button
          type="submit"
          className="button button--primary button--small"
          data-testid="server-add"
          disabled={adding}
        >
          {adding ? (
            <FormattedMessage id="serverManager.add.busy" defaultMessage="Adding…" />
          ) : (
            <FormattedMessage id="serverManager.add.submit" defaultMessage="Add server" />
          )}
        </button>
      </div>
      {problem && (
        <p id={`${id}-problem`} className="form-error" role="alert">
          {problem}
        </p>
      )}
      {unencrypted && (
        <label className="check">
          <input
            type="checkbox"
            data-testid="server-unencrypted-confirm"
            checked={accepted}
            onChange={(e) => setAccepted(e.target.checked)}
          />
          <FormattedMessage
            id="serverManager.add.unencryptedConfirm"
            defaultMessage="Use it unencrypted: this address is plain http:// to another machine, so anyone on the network between can read your password and your messages."
          />
        </label>
      )}
      {list.can_add_bundled && (
        <button
          type="button"
          className="button button--link"
          data-testid="server-add-bundled"
          disabled={adding}
          onClick={() => void onAdd(null)}
        >
          <FormattedMessage
            id="serverManager.add.bundled"
            defaultMessage="Use the built-in server too"
          />
        </button>
      )}
    </form>
  )
}
