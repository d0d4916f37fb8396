import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { LocaleProvider } from './components/LocaleProvider'
import { SettingsApp } from './components/SettingsApp'
import { SETTINGS_WINDOW_TITLE } from '../../shared/i18n/windowTitles'
import { followLocale } from './language'
import './styles.css'
import { followThemePreference } from './theme'

const root = document.getElementById('root')
if (!root) throw new Error('#root is missing from settings.html')
followThemePreference(document.documentElement)
followLocale(document, SETTINGS_WINDOW_TITLE)
createRoot(root).render(
  <StrictMode>
    <LocaleProvider>
      <SettingsApp />
    </LocaleProvider>
  </StrictMode>,
)
