import { useIntl } from 'react-intl'
import { useIsPinned, usePreferences } from '../stores/preferences'
import { HeaderToggle } from './HeaderToggle'
import { PinIcon } from './PinIcon'

/** The thread header's "Pin" toggle, next to Mute. A pin past the limit is refused by main. */
export function PinToggle({ conversationId }: { conversationId: number }) {
  const pinned = useIsPinned(conversationId)
  const setPinned = usePreferences((s) => s.setPinned)
  const intl = useIntl()
  return (
    <HeaderToggle
      pressed={pinned}
      change={(next) => setPinned(conversationId, next)}
      word={intl.formatMessage({
        id: 'pin.word',
        defaultMessage: 'Pin',
        description: 'The thread header’s pin toggle button (shown pressed when pinned)',
      })}
      label={intl.formatMessage({ id: 'pin.label', defaultMessage: 'Pin conversation' })}
      title={
        pinned
          ? intl.formatMessage({
              id: 'pin.title.on',
              defaultMessage: 'Pinned to the top of the list',
            })
          : intl.formatMessage({
              id: 'pin.title.off',
              defaultMessage: 'Pin to the top of the list',
            })
      }
      icon={<PinIcon className="icon" />}
      testId="pin-toggle"
      errorTestId="pin-error"
      fallbackError={intl.formatMessage({
        id: 'pin.error',
        defaultMessage: 'Could not change the pin',
      })}
    />
  )
}
