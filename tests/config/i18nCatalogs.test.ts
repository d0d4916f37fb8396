import { TYPE, parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser'
import { createIntl, type IntlShape } from '@formatjs/intl'
import { describe, expect, it } from 'vitest'
import { catalogText, extractMessages, readCatalog } from '../../scripts/i18n/catalogs'
import { catalogOf } from '../../src/shared/i18n/catalogs'
import {
  PSEUDO_LOCALE,
  TRANSLATED_LOCALES,
  intlLocaleOf,
  type AppLocale,
} from '../../src/shared/i18n/locales'
import { PSEUDO_CLOSE, PSEUDO_EXPANSION, PSEUDO_OPEN } from '../../src/shared/i18n/pseudo'

// The catalogs (src/shared/i18n/messages) against the code and each other: a message the code
// uses that en.json lacks, or one en.json keeps that no code uses, fails here (run `npm run
// i18n:extract`); so does a German message missing, left over, or not fitting its English one.

const en = readCatalog('en')
const code = extractMessages()

describe('the English catalog', () => {
  it('holds exactly the messages the code declares, as the code words them', () => {
    const missing = Object.keys(code).filter((id) => !(id in en))
    const unused = Object.keys(en).filter((id) => !(id in code))
    const changed = Object.keys(code).filter((id) => id in en && en[id] !== code[id])
    expect({ missing, unused, changed }, 'run `npm run i18n:extract`').toEqual({
      missing: [],
      unused: [],
      changed: [],
    })
  })

  it('is stored sorted, as the extract script writes it', async () => {
    const { readFileSync } = await import('node:fs')
    const { CATALOG_DIR } = await import('../../scripts/i18n/catalogs')
    for (const locale of TRANSLATED_LOCALES) {
      const text = readFileSync(`${CATALOG_DIR}/${locale}.json`, 'utf8')
      expect(text, `${locale}.json`).toBe(catalogText(readCatalog(locale)))
    }
  })

  it('names every message by hand: area.thing, never a generated hash', () => {
    const unnamed = Object.keys(en).filter((id) => !/^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$/.test(id))
    expect(unnamed).toEqual([])
  })
})

describe('each translation', () => {
  for (const locale of TRANSLATED_LOCALES.filter((l) => l !== 'en')) {
    const translated = readCatalog(locale)

    it(`${locale}: has a message for every English one, and no other`, () => {
      expect({
        missing: Object.keys(en).filter((id) => !(id in translated)),
        unused: Object.keys(translated).filter((id) => !(id in en)),
      }).toEqual({ missing: [], unused: [] })
    })

    it(`${locale}: takes the same values as the English one, and is translated`, () => {
      const misfits = Object.keys(en).filter(
        (id) =>
          id in translated &&
          JSON.stringify(signature(parse(translated[id]!))) !==
            JSON.stringify(signature(parse(en[id]!))),
      )
      expect(misfits).toEqual([])
      // Names, symbols and examples may stay as they are; most of a language's words may not.
      const same = Object.keys(en).filter((id) => translated[id] === en[id])
      expect(same.length).toBeLessThan(Object.keys(en).length * 0.1)
    })

    it(`${locale}: every plural has the forms the language needs`, () => {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories
      const lacking: string[] = []
      for (const [id, message] of Object.entries(translated)) {
        visit(parse(message), (element) => {
          if (element.type !== TYPE.plural) return
          const missing = categories.filter((c) => c !== 'other' && !(c in element.options))
          if (missing.length > 0 || !('other' in element.options)) lacking.push(id)
        })
      }
      expect(lacking).toEqual([])
    })
  }
})

describe('every locale', () => {
  for (const locale of [...TRANSLATED_LOCALES, PSEUDO_LOCALE] as AppLocale[]) {
    it(`${locale}: formats every message without an error`, () => {
      const errors: string[] = []
      const intl = intlOf(locale, errors)
      for (const [id, message] of Object.entries(en)) {
        intl.formatMessage({ id }, sampleValues(parse(message)))
      }
      expect(errors).toEqual([])
    })
  }

  it('the pseudo-locale: accented, bracketed and about 40% longer, with the same values', () => {
    const errors: string[] = []
    const english = intlOf('en', errors)
    const pseudo = intlOf(PSEUDO_LOCALE, errors)
    for (const [id, message] of Object.entries(en)) {
      const values = sampleValues(parse(message))
      const text = pseudo.formatMessage({ id }, values)
      const plain = english.formatMessage({ id }, values)
      // The sample values have no letters: any letter left unaccented is the catalog's.
      expect(text, id).not.toMatch(/[A-Za-z]/)
      expect(text.startsWith(PSEUDO_OPEN) && text.endsWith(PSEUDO_CLOSE), id).toBe(true)
      expect(text.length, id).toBeGreaterThanOrEqual(plain.length * (1 + PSEUDO_EXPANSION))
    }
    expect(errors).toEqual([])
  })
})

function intlOf(locale: AppLocale, errors: string[]): IntlShape<string> {
  return createIntl({
    locale: intlLocaleOf(locale),
    messages: catalogOf(locale),
    onError: (error) => errors.push(`${locale}: ${error.message}`),
  })
}

function visit(elements: MessageFormatElement[], see: (element: MessageFormatElement) => void) {
  for (const element of elements) {
    see(element)
    if (element.type === TYPE.tag) visit(element.children, see)
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      for (const option of Object.values(element.options)) visit(option.value, see)
    }
  }
}

/** A message's values and their kinds ("count:plural", "name:argument", "b:tag"), sorted. */
function signature(elements: MessageFormatElement[]): string[] {
  const found = new Set<string>()
  visit(elements, (element) => {
    if (element.type === TYPE.literal || element.type === TYPE.pound) return
    found.add(`${element.value}:${TYPE[element.type]}`)
  })
  return [...found].sort()
}

/** Values for every placeholder, with no letters in them: numbers, digits, tags that wrap. */
function sampleValues(elements: MessageFormatElement[]) {
  const values: Record<string, string | number | ((chunks: string[]) => string)> = {}
  visit(elements, (element) => {
    if (element.type === TYPE.literal || element.type === TYPE.pound) return
    if (element.type === TYPE.tag) values[element.value] = (chunks) => chunks.join('')
    else if (element.type === TYPE.plural || element.type === TYPE.number) {
      values[element.value] = 3
    } else values[element.value] = '12345'
  })
  return values
}
