import { useEffect, useId, useState } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Translator } from '../../../shared/i18n/translator'
import type { PlatformAccount } from '../../../shared/models'
import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { initAccounts, useAccounts } from '../stores/accounts'
import { useTranslator } from '../stores/locale'
import { useSession } from '../stores/session'
import { ConnectEmailForm } from './ConnectEmailForm'
import { PlatformTag } from './PlatformTag'

const messages = defineMessages({
  connecting: { id: 'account.state.connecting', defaultMessage: 'Connecting…' },
  connected: { id: 'account.state.connected', defaultMessage: 'Connected' },
  disconnected: { id: 'account.state.disconnected', defaultMessage: 'Disconnected' },
  unreachable: {
    id: 'account.state.unreachable',
    defaultMessage: 'The server cannot be reached.',
  },
  error: {
    id: 'account.state.error',
    defaultMessage: 'Not connected: {reason} Tidings keeps trying.',
    description:
      'reason: the mail server’s own words (or "The server cannot be reached."), a sentence',
  },
  retryNow: { id: 'account.retryNow', defaultMessage: 'Retry now' },
  checkNow: { id: 'account.checkNow', defaultMessage: 'Check now' },
  disconnect: { id: 'account.disconnect', defaultMessage: 'Disconnect' },
})

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
      <h2 id={`${id}-h`}>
        <FormattedMessage id="accounts.title" defaultMessage="Connected accounts" />
      </h2>
      <p className="muted small">
        <FormattedMessage
          id="accounts.hint"
          defaultMessage="Mail that arrives in a connected email account shows up as conversations in Tidings, and your replies are sent from that account."
        />
      </p>
      {!signedIn ? (
        <p className="muted small">
          <FormattedMessage
            id="accounts.signInFirst"
            defaultMessage="Sign in to connect accounts."
          />
        </p>
      ) : (
        <>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          {loaded && accounts.length === 0 && (
            <p className="muted small" data-testid="accounts-empty">
              <FormattedMessage id="accounts.empty" defaultMessage="No accounts connected." />
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
export function accountStateText(account: PlatformAccount, { t }: Translator): string {
  switch (account.state) {
    case 'connecting':
      return t(messages.connecting)
    case 'connected':
      return t(messages.connected)
    case 'error': {
      const reason = account.state_reason?.trim() || t(messages.unreachable)
      return t(messages.error, { reason: /[.!?。]$/.test(reason) ? reason : `${reason}.` })
    }
    case 'disconnected':
      return t(messages.disconnected)
  }
}

function AccountItem({ account }: { account: PlatformAccount }) {
  const pending = useAccounts((s) => s.pending[account.id] ?? null)
  const problem = useAccounts((s) => s.actionErrors[account.id] ?? null)
  const disconnect = useAccounts((s) => s.disconnect)
  const sync = useAccounts((s) => s.sync)
  const [confirming, setConfirming] = useState(false)
  const { zone, clock, locale } = useTimeSettings()
  const translator = useTranslator()
  const intl = useIntl()
  const id = useId()
  const name = account.display_name
  const syncAction = intl.formatMessage(
    account.state === 'error' ? messages.retryNow : messages.checkNow,
  )
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
        {accountStateText(account, translator)}
      </p>
      {account.imap && account.smtp && (
        <p className="muted small">
          <FormattedMessage
            id="account.servers"
            defaultMessage="Receives from {imap}, sends through {smtp}"
            values={{
              imap: (
                <span translate="no">
                  {account.imap.host}:{account.imap.port}
                </span>
              ),
              smtp: (
                <span translate="no">
                  {account.smtp.host}:{account.smtp.port}
                </span>
              ),
            }}
          />
        </p>
      )}
      {account.last_sync_at && (
        <p className="muted small">
          <FormattedMessage
            id="account.lastChecked"
            defaultMessage="Mail last checked {time}"
            values={{
              time: (
                <time dateTime={account.last_sync_at}>
                  {formatTimestamp(account.last_sync_at, zone, { clock, withZone: true, locale })}
                </time>
              ),
            }}
          />
        </p>
      )}
      <div className="row">
        {account.platform === 'email' && (
          <button
            type="button"
            className="button button--small"
            data-testid="account-sync"
            disabled={pending !== null}
            aria-label={intl.formatMessage(
              { id: 'account.sync.label', defaultMessage: '{action}: {name}' },
              { action: syncAction, name },
            )}
            onClick={() => void sync(account.id)}
          >
            {pending === 'sync'
              ? intl.formatMessage({ id: 'account.checking', defaultMessage: 'Checking…' })
              : syncAction}
          </button>
        )}
        {confirming ? (
          <>
            <span className="small">
              <FormattedMessage
                id="account.disconnect.confirm"
                defaultMessage="Disconnect {name}? Its conversations stay as history."
                values={{ name: <bdi>{name}</bdi> }}
              />
            </span>
            <button
              type="button"
              className="button button--small button--danger"
              data-testid="account-disconnect-confirm"
              disabled={pending !== null}
              onClick={() => void disconnect(account.id).then(() => setConfirming(false))}
            >
              {pending === 'disconnect'
                ? intl.formatMessage({
                    id: 'account.disconnecting',
                    defaultMessage: 'Disconnecting…',
                  })
                : intl.formatMessage(messages.disconnect)}
            </button>
            <button
              type="button"
              className="button button--small"
              onClick={() => setConfirming(false)}
            >
              <FormattedMessage
                id="account.disconnect.keep"
                defaultMessage="Keep"
                description="Cancels disconnecting an account"
              />
            </button>
          </>
        ) : (
          <button
            type="button"
            className="button button--small"
            data-testid="account-disconnect"
            aria-label={intl.formatMessage(
              { id: 'account.disconnect.label', defaultMessage: 'Disconnect {name}' },
              { name },
            )}
            onClick={() => setConfirming(true)}
          >
            <FormattedMessage {...messages.disconnect} />
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
