import { useIsPinned, usePreferences } from '../stores/preferences'
import { HeaderToggle } from './HeaderToggle'
import { PinIcon } from './PinIcon'

/** The thread header's "Pin" toggle, next to Mute. A pin past the limit is refused by main. */
export function PinToggle({ conversationId }: { conversationId: number }) {
  const pinned = useIsPinned(conversationId)
  const setPinned = usePreferences((s) => s.setPinned)
  return (
    <HeaderToggle
      pressed={pinned}
      change={(next) => setPinned(conversationId, next)}
      word="Pin"
      label="Pin conversation"
      title={pinned ? 'Pinned to the top of the list' : 'Pin to the top of the list'}
      icon={<PinIcon className="icon" />}
      testId="pin-toggle"
      errorTestId="pin-error"
      fallbackError="Could not change the pin"
    />
  )
}
