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
  return (
    <HeaderToggle
      pressed={muted}
      change={(next) => setMuted(conversationId, next)}
      word="Mute"
      label="Mute notifications"
      title={
        muted
          ? 'Notifications from this conversation are muted'
          : 'Mute notifications from this conversation'
      }
      icon={<BellOffIcon className="icon" />}
      testId="mute-toggle"
      errorTestId="mute-error"
      fallbackError="Could not change the mute setting"
    />
  )
}
