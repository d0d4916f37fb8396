import { useId } from 'react'
import { FormattedMessage } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Translator } from '../../../shared/i18n/translator'
import type { UpdateState } from '../../../shared/updates'
import { useTranslator } from '../stores/locale'

const messages = defineMessages({
  admin: { id: 'updates.status.admin', defaultMessage: 'Turned off by your administrator.' },
  user: { id: 'updates.status.user', defaultMessage: 'Tidings will not look for updates.' },
  unsupported: {
    id: 'updates.status.unsupported',
    defaultMessage: 'This copy of Tidings cannot update itself.',
  },
  upToDate: {
    id: 'updates.status.upToDate',
    defaultMessage: 'Tidings is up to date (checked at {time}).',
  },
  idle: { id: 'updates.status.idle', defaultMessage: 'Tidings looks for updates every few hours.' },
  checking: { id: 'updates.status.checking', defaultMessage: 'Looking for updates…' },
  downloading: {
    id: 'updates.status.downloading',
    defaultMessage: 'Downloading Tidings {version}… {percent, number}%',
  },
  ready: {
    id: 'updates.status.ready',
    defaultMessage: 'Tidings {version} is ready: it is installed when Tidings restarts.',
  },
  offline: {
    id: 'updates.status.offline',
    defaultMessage: 'Could not reach the update server; trying again at {time}.',
  },
  checksum: {
    id: 'updates.status.checksum',
    defaultMessage: 'A downloaded update was damaged and discarded; trying again at {time}.',
  },
  failed: {
    id: 'updates.status.failed',
    defaultMessage: 'Could not check for updates; trying again at {time}.',
  },
})

/**
 * The settings window's Updates section: the user's switch and what the updater is doing. An
 * administrator's policy (or a copy that cannot update itself) disables the switch and says so.
 */
export function UpdatesSection({
  state,
  userEnabled,
  onChange,
  formatTime,
}: {
  state: UpdateState
  /** The user's own setting, whatever the administrator decided. */
  userEnabled: boolean
  onChange(enabled: boolean): void
  /** An RFC 3339 instant as the user reads times (the organization's clock). */
  formatTime(iso: string): string
}) {
  const id = useId()
  const translator = useTranslator()
  const locked = state.status === 'disabled' && state.reason !== 'user'
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <FormattedMessage id="updates.title" defaultMessage="Updates" />
      </h2>
      <label className="check">
        <input
          type="checkbox"
          data-testid="auto-update"
          checked={userEnabled && !locked}
          disabled={locked}
          aria-describedby={`${id}-status`}
          onChange={(e) => onChange(e.target.checked)}
        />
        <FormattedMessage
          id="updates.automatic"
          defaultMessage="Download and install updates automatically"
        />
      </label>
      <p id={`${id}-status`} className="small" data-testid="update-status">
        {updateStatusText(state, formatTime, translator)}
      </p>
    </section>
  )
}

/** One sentence for the settings window. */
export function updateStatusText(
  state: UpdateState,
  formatTime: (iso: string) => string,
  { t }: Translator,
): string {
  switch (state.status) {
    case 'disabled':
      return t(messages[state.reason])
    case 'idle':
      return state.checked_at
        ? t(messages.upToDate, { time: formatTime(state.checked_at) })
        : t(messages.idle)
    case 'checking':
      return t(messages.checking)
    case 'downloading':
      return t(messages.downloading, { version: state.version, percent: state.percent })
    case 'ready':
      return t(messages.ready, { version: state.version })
    case 'failed': {
      const time = formatTime(state.retry_at)
      const reason =
        state.reason === 'offline' || state.reason === 'checksum' ? state.reason : 'failed'
      return t(messages[reason], { time })
    }
  }
}
