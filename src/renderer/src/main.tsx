import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import './styles.css'
import { followThemePreference } from './theme'

const root = document.getElementById('root')
if (!root) throw new Error('#root is missing from index.html')
followThemePreference(document.documentElement)
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
