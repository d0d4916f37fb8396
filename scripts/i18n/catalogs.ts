// The message catalogs (src/shared/i18n/messages) held to the code: `npm run i18n:extract` writes
// en.json from the code's messages, and tests/config/i18nCatalogs.test.ts fails on a message the
// catalog lacks, one nobody uses any more, or a translation that is missing or does not fit.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const CATALOG_DIR = path.join(ROOT, 'src/shared/i18n/messages')

/** Where messages are declared: every process's code (tests and declarations aside). */
const SOURCES = 'src/**/*.{ts,tsx}'
const IGNORED = 'src/**/*.d.ts'

export type Catalog = Record<string, string>

/**
 * The code's messages, id → English, as FormatJS's extractor finds them (defineMessages,
 * formatMessage, <FormattedMessage>); it fails on one id given two different messages.
 */
export function extractMessages(): Catalog {
  const bin = path.join(ROOT, 'node_modules/.bin/formatjs')
  const args = ['extract', SOURCES, '--ignore', IGNORED, '--format', 'simple', '--throws']
  const output = execFileSync(bin, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 })
  return JSON.parse(output) as Catalog
}

export function readCatalog(locale: string): Catalog {
  return JSON.parse(fs.readFileSync(path.join(CATALOG_DIR, `${locale}.json`), 'utf8')) as Catalog
}

/** A catalog as stored: ids in order, two-space JSON, a final newline (Prettier's style). */
export function catalogText(catalog: Catalog): string {
  const sorted = Object.fromEntries(Object.entries(catalog).sort(([a], [b]) => (a < b ? -1 : 1)))
  return `${JSON.stringify(sorted, null, 2)}\n`
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const messages = extractMessages()
  fs.writeFileSync(path.join(CATALOG_DIR, 'en.json'), catalogText(messages))
  console.log(`${Object.keys(messages).length} messages in src/shared/i18n/messages/en.json`)
}
