import { useId } from 'react'
import { useDataExport } from '../stores/dataExport'
import { useTranslator } from '../stores/locale'
import { humanSize } from '../stores/pendingAttachments'
import { useSession } from '../stores/session'

/**
 * "Export my data": the user's profile and every message they can see, with the files, as a ZIP
 * of JSON with readable HTML pages, saved where they choose. Any user, admins included, exports
 * their own data only.
 */
export function DataExportSection() {
  const signedIn = useSession((s) => Boolean(s.session?.user))
  const busy = useDataExport((s) => s.busy)
  const received = useDataExport((s) => s.received)
  const error = useDataExport((s) => s.error)
  const done = useDataExport((s) => s.done)
  const start = useDataExport((s) => s.start)
  const id = useId()
  const translator = useTranslator()
  if (!signedIn) return null
  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="export-section">
      <h2 id={`${id}-h`}>Your data</h2>
      <p className="muted small">
        Save your profile and every message you can see, with their files, as a ZIP file: JSON to
        take elsewhere and pages to read in a browser (open index.html).
      </p>
      <div className="row">
        <button
          type="button"
          className="button"
          disabled={busy}
          data-testid="export-start"
          onClick={() => void start()}
        >
          Export my data
        </button>
        <span role="status" className="small" data-testid="export-status">
          {busy ? `Exporting… ${humanSize(received, translator)} received` : (done ?? '')}
        </span>
      </div>
      {error && (
        <p className="form-error" role="alert" data-testid="export-error">
          {error}
        </p>
      )}
    </section>
  )
}
