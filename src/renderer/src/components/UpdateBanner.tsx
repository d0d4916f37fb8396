import { updateBanner, type UpdateState } from '../../../shared/updates'
import { useTranslator } from '../stores/locale'

/**
 * The main window's bar once an update is downloaded: "Tidings 1.2.0 is ready." and a "Restart to
 * update" button. A status bar, not a dialog: it never takes focus or interrupts typing, and the
 * app does not restart until the button is clicked (or the app quits, or the user is away; main
 * decides that, src/main/core/updates.ts). Nothing shows for any other state.
 */
export function UpdateBanner({ state, onRestart }: { state: UpdateState; onRestart(): void }) {
  const banner = updateBanner(state, useTranslator())
  if (banner === null) return null
  return (
    <div className="update-banner" role="status" data-testid="update-banner">
      <span>{banner.text}</span>
      <button
        type="button"
        className="button button--small"
        data-testid="update-restart"
        onClick={onRestart}
      >
        {banner.action}
      </button>
    </div>
  )
}
