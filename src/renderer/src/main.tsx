import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { LocaleProvider } from './components/LocaleProvider'
import { followLocale } from './language'
import './styles.css'
import { followThemePreference } from './theme'

const root = document.getElementById('root')
if (!root) throw new Error('#root is missing from index.html')
followThemePreference(document.documentElement)
// The main window is titled with the product's name, in every language.
followLocale(document, null)
createRoot(root).render(
  <StrictMode>
    <LocaleProvider>
      <App />
    </LocaleProvider>
  </StrictMode>,
)
