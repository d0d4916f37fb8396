import { useId } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import {
  LANGUAGE_NAMES,
  TRANSLATED_LOCALES,
  intlLocaleOf,
  isLanguagePreference,
  resolveLocale,
} from '../../../shared/i18n/locales'
import { useLocale } from '../stores/locale'
import { usePreferences } from '../stores/preferences'

/**
 * The interface's language: the system's (the default: whatever of the OS's languages Tidings
 * has) or one chosen for this device. Both windows, the tray, menus and notifications switch at
 * once. Each language is listed by its own name, so it can be found from any language.
 */
export function LanguageSection() {
  const preference = usePreferences((s) => s.prefs.language)
  const loaded = usePreferences((s) => s.loaded)
  const update = usePreferences((s) => s.update)
  const system = useLocale((s) => s.info.system)
  const intl = useIntl()
  const id = useId()
  // The language "System" stands for on this machine (English when the OS's is not one of ours).
  const systemLanguage = LANGUAGE_NAMES[intlLocaleOf(resolveLocale('system', system))]
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <FormattedMessage id="settings.language.title" defaultMessage="Language" />
      </h2>
      <label htmlFor={`${id}-language`}>
        <FormattedMessage
          id="settings.language.label"
          defaultMessage="Language of menus, messages and notifications"
        />
      </label>
      <select
        id={`${id}-language`}
        data-testid="language-setting"
        value={preference}
        disabled={!loaded}
        onChange={(e) => {
          if (isLanguagePreference(e.target.value)) void update({ language: e.target.value })
        }}
      >
        <option value="system">
          {intl.formatMessage(
            {
              id: 'settings.language.system',
              defaultMessage: 'System ({language})',
              description: 'The OS’s language, named in its own language: "System (Deutsch)"',
            },
            { language: systemLanguage },
          )}
        </option>
        {TRANSLATED_LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale} translate="no">
            {LANGUAGE_NAMES[locale]}
          </option>
        ))}
      </select>
      <p className="muted small">
        <FormattedMessage
          id="settings.language.hint"
          defaultMessage="Dates and times keep the organization’s time zone and follow this language’s formats."
        />
      </p>
    </section>
  )
}
