import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { MailServerBody } from '../../../shared/api'
import { useAccounts } from '../stores/accounts'

type ServerKind = 'imap' | 'smtp'

const messages = defineMessages({
  title: { id: 'connectEmail.title', defaultMessage: 'Connect an email account' },
  password: { id: 'connectEmail.password', defaultMessage: 'Password' },
})

interface ServerDraft {
  host: string
  /** As typed; checked on submit. */
  port: string
  secure: boolean
  username: string
  password: string
}

/** The usual ports: [plain with STARTTLS, TLS from the start]. */
const STANDARD_PORTS: Record<ServerKind, [number, number]> = { imap: [143, 993], smtp: [587, 465] }

const EMPTY: { name: string; address: string } & Record<ServerKind, ServerDraft> = {
  name: '',
  address: '',
  imap: { host: '', port: '993', secure: true, username: '', password: '' },
  smtp: { host: '', port: '587', secure: false, username: '', password: '' },
}

function parsePort(value: string): number | null {
  const port = Number(value.trim())
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null
}

/**
 * Connecting an email account: a name, the address, and the IMAP (receiving) and SMTP (sending)
 * servers. The passwords live in this form only until it is sent; they are never shown back.
 */
export function ConnectEmailForm() {
  const connecting = useAccounts((s) => s.connecting)
  const connectError = useAccounts((s) => s.connectError)
  const connectEmail = useAccounts((s) => s.connectEmail)
  const [open, setOpen] = useState(false)
  const [draft, setDraft] = useState(EMPTY)
  const [problem, setProblem] = useState<string | null>(null)
  const [added, setAdded] = useState<string | null>(null)
  const id = useId()
  const openButton = useRef<HTMLButtonElement>(null)
  const wasOpen = useRef(false)
  const intl = useIntl()

  useEffect(() => {
    // Back to the button that opened the form once it closes, so keyboard users keep their place.
    if (wasOpen.current && !open) openButton.current?.focus()
    wasOpen.current = open
  }, [open])

  function close() {
    // Forget everything typed, the passwords first of all.
    setDraft(EMPTY)
    setProblem(null)
    setOpen(false)
  }

  function server(kind: ServerKind): MailServerBody | null {
    const part = draft[kind]
    const port = parsePort(part.port)
    if (port === null) return null
    return {
      host: part.host.trim(),
      port,
      secure: part.secure,
      username: part.username.trim() || draft.address.trim(),
      password: part.password,
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    setAdded(null)
    const imap = server('imap')
    const smtp = server('smtp')
    if (!imap || !smtp) {
      setProblem(
        intl.formatMessage({
          id: 'connectEmail.problem.port',
          defaultMessage: 'Enter a port between 1 and 65535.',
        }),
      )
      return
    }
    setProblem(null)
    const name = draft.name.trim()
    const account = await connectEmail({
      display_name: name,
      email_address: draft.address.trim(),
      imap,
      smtp,
    })
    if (account) {
      close()
      setAdded(
        intl.formatMessage(
          { id: 'connectEmail.added', defaultMessage: '{name} was added.' },
          { name: account.display_name },
        ),
      )
    }
  }

  const error = problem ?? connectError
  return (
    <div className="connect-email">
      {!open && (
        <button
          ref={openButton}
          type="button"
          className="button"
          data-testid="connect-email-open"
          onClick={() => {
            setAdded(null)
            setOpen(true)
          }}
        >
          <FormattedMessage {...messages.title} />
        </button>
      )}
      <p role="status" className="small">
        {added ?? ''}
      </p>
      {open && (
        <form
          className="connect-email__form"
          aria-labelledby={`${id}-h`}
          data-testid="connect-email-form"
          onSubmit={(e) => void submit(e)}
        >
          <h3 id={`${id}-h`}>
            <FormattedMessage {...messages.title} />
          </h3>
          <label htmlFor={`${id}-name`}>
            <FormattedMessage id="connectEmail.name" defaultMessage="Account name" />
          </label>
          <input
            id={`${id}-name`}
            data-testid="account-name"
            // The form opens on the user's request: start typing in its first field.
            autoFocus
            required
            maxLength={128}
            placeholder={intl.formatMessage({
              id: 'connectEmail.name.placeholder',
              defaultMessage: 'Work email',
            })}
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
          <label htmlFor={`${id}-address`}>
            <FormattedMessage id="connectEmail.address" defaultMessage="Email address" />
          </label>
          <input
            id={`${id}-address`}
            type="email"
            data-testid="account-address"
            required
            maxLength={254}
            autoComplete="email"
            placeholder={intl.formatMessage({
              id: 'connectEmail.address.placeholder',
              defaultMessage: 'you@example.com',
              description: 'An example email address',
            })}
            value={draft.address}
            onChange={(e) => setDraft({ ...draft, address: e.target.value })}
          />
          <ServerFields
            kind="imap"
            legend={intl.formatMessage({
              id: 'connectEmail.imap',
              defaultMessage: 'Incoming mail (IMAP)',
            })}
            value={draft.imap}
            address={draft.address}
            onChange={(imap) => setDraft({ ...draft, imap })}
          />
          <ServerFields
            kind="smtp"
            legend={intl.formatMessage({
              id: 'connectEmail.smtp',
              defaultMessage: 'Outgoing mail (SMTP)',
            })}
            value={draft.smtp}
            address={draft.address}
            onChange={(smtp) => setDraft({ ...draft, smtp })}
          />
          {error && (
            <p className="form-error" role="alert" data-testid="connect-email-error">
              {error}
            </p>
          )}
          <div className="row">
            <button
              type="submit"
              className="button button--primary"
              data-testid="connect-email-submit"
              disabled={connecting}
            >
              {connecting ? (
                <FormattedMessage id="connectEmail.connecting" defaultMessage="Connecting…" />
              ) : (
                <FormattedMessage id="connectEmail.submit" defaultMessage="Connect account" />
              )}
            </button>
            <button type="button" className="button" onClick={close}>
              <FormattedMessage id="connectEmail.cancel" defaultMessage="Cancel" />
            </button>
          </div>
        </form>
      )}
    </div>
  )
}

function ServerFields(props: {
  kind: ServerKind
  legend: string
  value: ServerDraft
  address: string
  onChange(value: ServerDraft): void
}) {
  const { kind, legend, value, address, onChange } = props
  const intl = useIntl()
  const id = useId()
  const portInvalid = value.port.trim() !== '' && parsePort(value.port) === null
  function setSecure(secure: boolean) {
    const [plain, tls] = STANDARD_PORTS[kind]
    // Follow the mode with the port while it is still the usual one for the old mode.
    const usual = String(secure ? plain : tls)
    const port = value.port.trim() === usual ? String(secure ? tls : plain) : value.port
    onChange({ ...value, secure, port })
  }
  return (
    <fieldset className="mail-server" data-testid={`${kind}-fields`}>
      <legend>{legend}</legend>
      <div className="mail-server__grid">
        <span>
          <label htmlFor={`${id}-host`}>
            <FormattedMessage id="connectEmail.server.host" defaultMessage="Server" />
          </label>
          <input
            id={`${id}-host`}
            data-testid={`${kind}-host`}
            required
            maxLength={255}
            autoComplete="off"
            spellCheck={false}
            placeholder={intl.formatMessage(
              {
                id: 'connectEmail.server.host.placeholder',
                defaultMessage: '{kind}.example.com',
                description: 'An example mail server name; kind: imap or smtp',
              },
              { kind },
            )}
            value={value.host}
            onChange={(e) => onChange({ ...value, host: e.target.value })}
          />
        </span>
        <span>
          <label htmlFor={`${id}-port`}>
            <FormattedMessage id="connectEmail.server.port" defaultMessage="Port" />
          </label>
          <input
            id={`${id}-port`}
            data-testid={`${kind}-port`}
            type="number"
            inputMode="numeric"
            required
            min={1}
            max={65535}
            aria-invalid={portInvalid ? true : undefined}
            value={value.port}
            onChange={(e) => onChange({ ...value, port: e.target.value })}
          />
        </span>
      </div>
      <label className="check">
        <input
          type="checkbox"
          data-testid={`${kind}-secure`}
          checked={value.secure}
          aria-describedby={`${id}-secure-hint`}
          onChange={(e) => setSecure(e.target.checked)}
        />
        <FormattedMessage id="connectEmail.server.tls" defaultMessage="Use TLS from the start" />
      </label>
      <p id={`${id}-secure-hint`} className="muted small">
        <FormattedMessage
          id="connectEmail.server.tls.hint"
          defaultMessage="Off: the connection is upgraded with STARTTLS when the server offers it."
        />
      </p>
      <label htmlFor={`${id}-user`}>
        <FormattedMessage id="connectEmail.server.username" defaultMessage="Username" />
      </label>
      <input
        id={`${id}-user`}
        data-testid={`${kind}-username`}
        maxLength={255}
        autoComplete="off"
        spellCheck={false}
        placeholder={
          address.trim() ||
          intl.formatMessage({
            id: 'connectEmail.server.username.placeholder',
            defaultMessage: 'Your email address',
          })
        }
        aria-describedby={`${id}-user-hint`}
        value={value.username}
        onChange={(e) => onChange({ ...value, username: e.target.value })}
      />
      <p id={`${id}-user-hint`} className="muted small">
        <FormattedMessage
          id="connectEmail.server.username.hint"
          defaultMessage="Leave empty to use the email address."
        />
      </p>
      <label htmlFor={`${id}-password`}>
        <FormattedMessage {...messages.password} />
      </label>
      <input
        id={`${id}-password`}
        data-testid={`${kind}-password`}
        type="password"
        required
        maxLength={1024}
        autoComplete="new-password"
        value={value.password}
        onChange={(e) => onChange({ ...value, password: e.target.value })}
      />
    </fieldset>
  )
}
