import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { SettingsApp } from './components/SettingsApp'
import './styles.css'
import { followThemePreference } from './theme'

const root = document.getElementById('root')
if (!root) throw new Error('#root is missing from settings.html')
followThemePreference(document.documentElement)
createRoot(root).render(
  <StrictMode>
    <SettingsApp />
  </StrictMode>,
)
