import { useId } from 'react'
import { FormattedMessage } from 'react-intl'
import { useDataExport } from '../stores/dataExport'
import { useTranslator } from '../stores/locale'
import { humanSize } from '../stores/pendingAttachments'
import { useSession } from '../stores/session'

/** The export's front page: a file name, the same in every language. */
const INDEX_PAGE = 'index.html'

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
      <h2 id={`${id}-h`}>
        <FormattedMessage id="dataExport.heading" defaultMessage="Your data" />
      </h2>
      <p className="muted small">
        <FormattedMessage
          id="dataExport.explanation"
          defaultMessage="Save your profile and every message you can see, with their files, as a ZIP file: JSON to take elsewhere and pages to read in a browser (open {file})."
          values={{ file: <code translate="no">{INDEX_PAGE}</code> }}
        />
      </p>
      <div className="row">
        <button
          type="button"
          className="button"
          disabled={busy}
          data-testid="export-start"
          onClick={() => void start()}
        >
          <FormattedMessage id="dataExport.start" defaultMessage="Export my data" />
        </button>
        <span role="status" className="small" data-testid="export-status">
          {busy ? (
            <FormattedMessage
              id="dataExport.progress"
              defaultMessage="Exporting… {size} received"
              values={{ size: humanSize(received, translator) }}
            />
          ) : (
            (done ?? '')
          )}
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
