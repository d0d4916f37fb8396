import { useEffect, useId, useState } from 'react'
import type { PlatformAccount } from '../../../shared/models'
import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { initAccounts, useAccounts } from '../stores/accounts'
import { useSession } from '../stores/session'
import { ConnectEmailForm } from './ConnectEmailForm'
import { PlatformTag } from './PlatformTag'

/** Settings: the user's connected platform accounts, live, with connect and disconnect. */
export function AccountsSection() {
  useEffect(() => initAccounts(), [])
  const signedIn = useSession((s) => Boolean(s.session?.user))
  const accounts = useAccounts((s) => s.accounts)
  const loaded = useAccounts((s) => s.loaded)
  const error = useAccounts((s) => s.error)
  const id = useId()
  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="accounts-section">
      <h2 id={`${id}-h`}>Connected accounts</h2>
      <p className="muted small">
        Mail that arrives in a connected email account shows up as conversations in Tidings, and
        your replies are sent from that account.
      </p>
      {!signedIn ? (
        <p className="muted small">Sign in to connect accounts.</p>
      ) : (
        <>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          {loaded && accounts.length === 0 && (
            <p className="muted small" data-testid="accounts-empty">
              No accounts connected.
            </p>
          )}
          {accounts.length > 0 && (
            <ul className="account-list" data-testid="account-list">
              {accounts.map((account) => (
                <AccountItem key={account.id} account={account} />
              ))}
            </ul>
          )}
          <ConnectEmailForm />
        </>
      )}
    </section>
  )
}

/** The state in words: what the user needs to know, including why it is not working. */
export function accountStateText(account: PlatformAccount): string {
  switch (account.state) {
    case 'connecting':
      return 'Connecting…'
    case 'connected':
      return 'Connected'
    case 'error': {
      const reason = account.state_reason?.trim() || 'The server cannot be reached.'
      return `Not connected: ${/[.!?]$/.test(reason) ? reason : `${reason}.`} Tidings keeps trying.`
    }
    case 'disconnected':
      return 'Disconnected'
  }
}

function AccountItem({ account }: { account: PlatformAccount }) {
  const pending = useAccounts((s) => s.pending[account.id] ?? null)
  const problem = useAccounts((s) => s.actionErrors[account.id] ?? null)
  const disconnect = useAccounts((s) => s.disconnect)
  const sync = useAccounts((s) => s.sync)
  const [confirming, setConfirming] = useState(false)
  const { zone, clock } = useTimeSettings()
  const id = useId()
  const name = account.display_name
  return (
    <li
      className="account"
      data-testid="account-item"
      data-account-id={account.id}
      data-state={account.state}
      aria-labelledby={`${id}-name`}
    >
      <div className="account__head">
        <PlatformTag platform={account.platform} />
        <span id={`${id}-name`} className="account__name">
          {name}
        </span>
        {account.address && (
          <span className="account__address muted" data-testid="account-address">
            {account.address}
          </span>
        )}
      </div>
      <p
        className={`account__state account__state--${account.state}`}
        data-testid="account-state"
        aria-live="polite"
      >
        {accountStateText(account)}
      </p>
      {account.imap && account.smtp && (
        <p className="muted small">
          Receives from {account.imap.host}:{account.imap.port}, sends through {account.smtp.host}:
          {account.smtp.port}
        </p>
      )}
      {account.last_sync_at && (
        <p className="muted small">
          Mail last checked{' '}
          <time dateTime={account.last_sync_at}>
            {formatTimestamp(account.last_sync_at, zone, { clock, withZone: true })}
          </time>
        </p>
      )}
      <div className="row">
        {account.platform === 'email' && (
          <button
            type="button"
            className="button button--small"
            data-testid="account-sync"
            disabled={pending !== null}
            aria-label={`${account.state === 'error' ? 'Retry now' : 'Check now'}: ${name}`}
            onClick={() => void sync(account.id)}
          >
            {pending === 'sync'
              ? 'Checking…'
              : account.state === 'error'
                ? 'Retry now'
                : 'Check now'}
          </button>
        )}
        {confirming ? (
          <>
            <span className="small">Disconnect {name}? Its conversations stay as history.</span>
            <button
              type="button"
              className="button button--small button--danger"
              data-testid="account-disconnect-confirm"
              disabled={pending !== null}
              onClick={() => void disconnect(account.id).then(() => setConfirming(false))}
            >
              {pending === 'disconnect' ? 'Disconnecting…' : 'Disconnect'}
            </button>
            <button
              type="button"
              className="button button--small"
              onClick={() => setConfirming(false)}
            >
              Keep
            </button>
          </>
        ) : (
          <button
            type="button"
            className="button button--small"
            data-testid="account-disconnect"
            aria-label={`Disconnect ${name}`}
            onClick={() => setConfirming(true)}
          >
            Disconnect
          </button>
        )}
      </div>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
    </li>
  )
}
