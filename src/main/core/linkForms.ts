import type { LinkPrefill } from '../../shared/ipc'
import type { CoreOutputs } from './coreHost'

/**
 * The form a `tidings://` link asked to fill in (an invite's registration, a password reset),
 * held for the main window: pushed at once (`links/prefill`) to a window that shows the signed-out
 * view, and kept until that view takes it (`links/takePrefill`), so that a link that arrived
 * before the page loaded (a cold start) is not lost. The latest link wins.
 */
export class LinkForms {
  private pending: LinkPrefill | null = null

  constructor(
    private readonly outputs: CoreOutputs,
    private readonly isStopped: () => boolean,
  ) {}

  offer(prefill: LinkPrefill): void {
    this.pending = prefill
    if (!this.isStopped()) this.outputs.push('links/prefill', prefill)
  }

  /** The waiting form, once. */
  take(): LinkPrefill | null {
    const pending = this.pending
    this.pending = null
    return pending
  }
}
