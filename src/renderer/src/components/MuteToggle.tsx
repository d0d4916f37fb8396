import { useIntl } from 'react-intl'
import { useIsMuted, usePreferences } from '../stores/preferences'
import { BellOffIcon } from './BellOffIcon'
import { HeaderToggle } from './HeaderToggle'

/**
 * The thread header's "Mute notifications" toggle, where Signal and Mattermost users look for
 * it; the settings window's mute list follows the change live (both read the same preference).
 */
export function MuteToggle({ conversationId }: { conversationId: number }) {
  const muted = useIsMuted(conversationId)
  const setMuted = usePreferences((s) => s.setMuted)
  const intl = useIntl()
  return (
    <HeaderToggle
      pressed={muted}
      change={(next) => setMuted(conversationId, next)}
      word={intl.formatMessage({
        id: 'mute.word',
        defaultMessage: 'Mute',
        description: 'The thread header’s mute toggle button (shown pressed when muted)',
      })}
      label={intl.formatMessage({ id: 'mute.label', defaultMessage: 'Mute notifications' })}
      title={
        muted
          ? intl.formatMessage({
              id: 'mute.title.on',
              defaultMessage: 'Notifications from this conversation are muted',
            })
          : intl.formatMessage({
              id: 'mute.title.off',
              defaultMessage: 'Mute notifications from this conversation',
            })
      }
      icon={<BellOffIcon className="icon" />}
      testId="mute-toggle"
      errorTestId="mute-error"
      fallbackError={intl.formatMessage({
        id: 'mute.error',
        defaultMessage: 'Could not change the mute setting',
      })}
    />
  )
}
