import fs from 'node:fs'
import path from 'node:path'

/**
 * Where the e2e tests put the screenshots of the README and docs/features.md: replaced only when
 * asked (`npm run screenshots`), so a test run leaves the working tree as it found it.
 */
export const SCREENSHOTS = path.resolve(
  import.meta.dirname,
  process.env.UPDATE_SCREENSHOTS === '1'
    ? '../../docs/screenshots'
    : '../../test-results/screenshots',
)
fs.mkdirSync(SCREENSHOTS, { recursive: true })
