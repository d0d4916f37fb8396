import { DateTime, IANAZone, type DateTimeFormatOptions, type Zone } from 'luxon'
import { CalendarDays, type CalendarDay } from './calendarDays'
import { defineMessages } from './i18n/defineMessages'
import type { AppLocale } from './i18n/locales'
import { translatorFor, type Translator } from './i18n/translator'
import type { ClockStyle } from './preferences'

/**
 * Time formatting shared by main (notifications) and the renderers. Every time Tidings shows is an
 * RFC 3339 instant rendered in an IANA zone (the organization timezone) with the user's clock
 * style, in the user's language and formats (`locale`: month names, the order of day and month,
 * "vor 5 Minuten"). An unknown zone falls back to UTC rather than throwing.
 */

/** Whose formats: the interface's language and the tag Intl formats for (see LocaleInfo). */
export interface TimeLocale {
  locale: AppLocale
  formatLocale: string
}

/** What every time was shown as before languages: US English. */
export const DEFAULT_TIME_LOCALE: TimeLocale = { locale: 'en', formatLocale: 'en-US' }

const messages = defineMessages({
  justNow: {
    id: 'time.justNow',
    defaultMessage: 'just now',
    description: 'A message sent less than a minute ago, in the conversation list',
  },
})

export type TimeFormat = 'date' | 'time' | 'datetime'

export interface FormatOptions {
  /** What to show; default 'datetime'. */
  format?: TimeFormat
  /** Default '12h'. */
  clock?: ClockStyle
  /** Append the zone's abbreviation (or GMT offset) to times, e.g. "10:30 AM EST". */
  withZone?: boolean
  /** Show seconds in times, e.g. "10:30:05 AM" (live clocks). */
  withSeconds?: boolean
  /** Default US English. */
  locale?: TimeLocale
}

export interface RelativeOptions {
  /** The current instant; default the system clock. */
  now?: Date | number | string
  clock?: ClockStyle
  /** Beyond this age the absolute date/time is shown instead; default one hour. */
  cutoffMs?: number
  /**
   * What to show past the cutoff: 'auto' (the time when on the same day in `zone`, else the
   * date), or a fixed format. Default 'auto'.
   */
  fallback?: TimeFormat | 'auto'
  /** Default US English. */
  locale?: TimeLocale
}

export interface ZoneInfo {
  /** IANA name, e.g. "Asia/Kolkata". */
  zone: string
  /** Current offset from UTC in minutes (330 for UTC+05:30). */
  offset: number
  /** "UTC+05:30" */
  offsetLabel: string
}

const MAX_CACHE = 64
/** Under this age a timestamp reads "just now". */
const JUST_NOW_MS = 45_000

const zoneCache = new Map<string, Zone>()
const validityCache = new Map<string, boolean>()
const zoneNameFormatters = new Map<string, Intl.DateTimeFormat>()

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= MAX_CACHE) {
    const oldest = cache.keys().next()
    if (!oldest.done) cache.delete(oldest.value)
  }
  cache.set(key, value)
  return value
}

/** The luxon zone for `name`, cached; UTC when the name is not a valid IANA zone. */
function zoneFor(name: string): Zone {
  const cached = zoneCache.get(name)
  if (cached) return cached
  const zone = isValidZone(name) ? IANAZone.create(name) : IANAZone.create('UTC')
  return remember(zoneCache, name, zone)
}

/** True when `zone` names an IANA time zone this runtime knows (including "UTC"). */
export function isValidZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0) return false
  const known = validityCache.get(zone)
  if (known !== undefined) return known
  return remember(validityCache, zone, IANAZone.isValidZone(zone))
}

/** `zone` when valid, else 'UTC'. */
export function resolveZone(zone: string | null | undefined): string {
  return zone && isValidZone(zone) ? zone : 'UTC'
}

/** The zone's instant as luxon reads it; formatting sets the locale (`inLocale`). */
function toDateTime(ts: Date | number | string, zone: string): DateTime {
  const z = zoneFor(zone)
  if (ts instanceof Date) return DateTime.fromJSDate(ts, { zone: z })
  if (typeof ts === 'number') return DateTime.fromMillis(ts, { zone: z })
  return DateTime.fromISO(ts, { zone: z, setZone: false })
}

function translatorOf(locale: TimeLocale): Translator {
  return translatorFor(locale.locale, locale.formatLocale)
}

/**
 * Intl's text as shown: newer ICU puts a narrow no-break space before "AM"; a plain space keeps
 * every time the same text whatever ICU the runtime has (Chromium's and Node's differ). The
 * pseudo-locale accents it.
 */
function shown(text: string, translator: Translator): string {
  return translator.formatted(text.replace(/\u202f/g, ' '))
}

function timeOptions(clock: ClockStyle, withSeconds: boolean): DateTimeFormatOptions {
  return {
    hour: 'numeric',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
    hourCycle: clock === '24h' ? 'h23' : 'h12',
  }
}

const DATE_OPTIONS: DateTimeFormatOptions = { month: 'short', day: 'numeric', year: 'numeric' }
const DAY_OPTIONS: DateTimeFormatOptions = {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
}

/**
 * The short name of the zone at that instant in the locale ("EST", "GMT+5:30", "UTC"; "MEZ" in
 * German), from one cached Intl formatter per zone and locale (luxon's `ZZZZ` builds a new
 * formatter on every call).
 */
function zoneAbbreviation(dt: DateTime, formatLocale: string): string {
  const zone = dt.zoneName ?? 'UTC'
  const key = `${formatLocale}|${zone}`
  let formatter = zoneNameFormatters.get(key)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(formatLocale, { timeZone: zone, timeZoneName: 'short' })
    remember(zoneNameFormatters, key, formatter)
  }
  const part = formatter.formatToParts(dt.toJSDate()).find((p) => p.type === 'timeZoneName')
  return part?.value ?? dt.toFormat('ZZ')
}

/**
 * Formats an instant in `zone`, in the locale's formats: 'date' → "Jan 15, 2026" ("15. Jan.
 * 2026"), 'time' → "10:30 AM" / "10:30", 'datetime' → "Jan 15, 2026, 10:30 AM". Returns '' for
 * an unparseable timestamp.
 */
export function formatTimestamp(
  ts: Date | number | string,
  zone: string,
  options: FormatOptions = {},
): string {
  const {
    format = 'datetime',
    clock = '12h',
    withZone = false,
    withSeconds = false,
    locale = DEFAULT_TIME_LOCALE,
  } = options
  const dt = toDateTime(ts, zone)
  if (!dt.isValid) return ''
  const translator = translatorOf(locale)
  const local = dt.setLocale(locale.formatLocale)
  const time = timeOptions(clock, withSeconds)
  const text =
    format === 'date'
      ? local.toLocaleString(DATE_OPTIONS)
      : local.toLocaleString(format === 'time' ? time : { ...DATE_OPTIONS, ...time })
  const zoneName =
    withZone && format !== 'date' ? ` ${zoneAbbreviation(dt, locale.formatLocale)}` : ''
  return shown(`${text}${zoneName}`, translator)
}

function millisOf(value: Date | number | string | undefined): number {
  if (value === undefined) return Date.now()
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'number') return value
  return DateTime.fromISO(value).toMillis()
}

/**
 * "just now", "5 minutes ago", "2 hours ago" while younger than the cutoff; after it, the time
 * (same day in `zone`) or the date. Timestamps slightly in the future (clock skew) read "just now".
 */
export function formatRelative(ts: string, zone: string, options: RelativeOptions = {}): string {
  const {
    clock = '12h',
    cutoffMs = 60 * 60_000,
    fallback = 'auto',
    locale = DEFAULT_TIME_LOCALE,
  } = options
  const dt = toDateTime(ts, zone)
  if (!dt.isValid) return ''
  const now = millisOf(options.now)
  const age = now - dt.toMillis()
  if (age < cutoffMs) {
    const translator = translatorOf(locale)
    if (age < JUST_NOW_MS) return translator.t(messages.justNow)
    const relative = dt.toRelative({
      base: toDateTime(now, zone),
      locale: locale.formatLocale,
      round: true,
    })
    return shown(relative ?? '', translator)
  }
  if (fallback !== 'auto') return formatTimestamp(ts, zone, { format: fallback, clock, locale })
  return isSameDay(ts, now, zone)
    ? formatTimestamp(ts, zone, { format: 'time', clock, locale })
    : formatTimestamp(ts, zone, { format: 'date', clock, locale })
}

/** The calendar day of an instant in `zone`, as "yyyy-MM-dd" (for grouping messages by day). */
export function dayKey(ts: Date | number | string, zone: string): string {
  const dt = toDateTime(ts, zone)
  return dt.isValid ? dt.toFormat('yyyy-MM-dd') : ''
}

/**
 * A timestamp that ends in its offset. The server's RFC 3339 instants all do, and for those
 * `Date.parse` gives the instant luxon gives; an offset-less one would be read in different zones.
 */
const WITH_OFFSET = /(?:Z|[+-]\d\d:?\d\d)$/i

/** Per zone, the calendar days already bounded, shared by every thread's rebuild. */
const knownDays = new Map<string, CalendarDays>()

/**
 * `dayKey` for many instants in one zone, as a thread's day separators need. A day is bounded
 * once with luxon (~100 µs with its start and end) and then found by a binary search over the
 * days already known in that zone, which every later rebuild of every thread shares. Asking
 * luxon for each message (~10 µs) made grouping a loaded history of 10,000 messages take over
 * 100 ms on every change to the thread.
 */
export function dayKeyer(zone: string): (ts: string) => string {
  const days = knownDays.get(zone) ?? remember(knownDays, zone, new CalendarDays())
  let last: CalendarDay | undefined
  return (ts) => {
    const ms = WITH_OFFSET.test(ts) ? Date.parse(ts) : Number.NaN
    // Offset-less or unparsable strings take luxon's own reading, uncached.
    if (Number.isNaN(ms)) return dayKey(ts, zone)
    if (last && ms >= last.start && ms < last.end) return last.key
    let day = days.find(ms)
    if (!day) {
      const bounded = boundDay(ms, zone)
      if (typeof bounded === 'string') return bounded
      days.add(bounded)
      day = bounded
    }
    last = day
    return day.key
  }
}

/**
 * The calendar day around `ms` in `zone`; only its key when luxon's bounds are not exactly that
 * day (a zone whose midnight a DST change skips, if luxon placed it on another day), so an
 * untrusted day is never remembered.
 */
function boundDay(ms: number, zone: string): CalendarDay | string {
  const dt = DateTime.fromMillis(ms, { zone: zoneFor(zone) })
  const day = dt.startOf('day')
  const next = day.plus({ days: 1 }).startOf('day')
  const key = dt.toFormat('yyyy-MM-dd')
  const start = day.toMillis()
  const end = next.toMillis()
  const clean =
    start <= ms &&
    ms < end &&
    day.toFormat('yyyy-MM-dd') === key &&
    next.toFormat('yyyy-MM-dd') !== key
  return clean ? { start, end, key } : key
}

/** True when both instants fall on the same calendar day in `zone`. */
export function isSameDay(
  a: Date | number | string,
  b: Date | number | string,
  zone: string,
): boolean {
  const ka = dayKey(a, zone)
  return ka !== '' && ka === dayKey(b, zone)
}

/**
 * "Today", "Yesterday" (as the locale says them: "Heute", "Gestern"), or e.g. "Thursday, January
 * 15, 2026" for a day separator.
 */
export function formatDayLabel(
  ts: Date | number | string,
  zone: string,
  now: Date | number | string = Date.now(),
  locale: TimeLocale = DEFAULT_TIME_LOCALE,
): string {
  const dt = toDateTime(ts, zone)
  if (!dt.isValid) return ''
  const translator = translatorOf(locale)
  const today = toDateTime(millisOf(now), zone).startOf('day')
  const day = dt.startOf('day')
  const diffDays = Math.round(today.diff(day, 'days').days)
  if (diffDays === 0 || diffDays === 1) {
    const word = relativeDays(locale.formatLocale).format(-diffDays, 'day')
    return shown(capitalized(word, locale.formatLocale), translator)
  }
  return shown(dt.setLocale(locale.formatLocale).toLocaleString(DAY_OPTIONS), translator)
}

const relativeDayFormats = new Map<string, Intl.RelativeTimeFormat>()

/** "today", "yesterday" in the locale (CLDR's words), one cached formatter per locale. */
function relativeDays(formatLocale: string): Intl.RelativeTimeFormat {
  let format = relativeDayFormats.get(formatLocale)
  if (!format) {
    format = new Intl.RelativeTimeFormat(formatLocale, { numeric: 'auto' })
    remember(relativeDayFormats, formatLocale, format)
  }
  return format
}

/** A word at the start of a label: "today" → "Today". */
function capitalized(word: string, formatLocale: string): string {
  const first = word.slice(0, 1)
  return first.toLocaleUpperCase(formatLocale) + word.slice(1)
}

/** "UTC+05:30", "UTC-03:00", "UTC+00:00" for an offset in minutes. */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  const hours = String(Math.floor(abs / 60)).padStart(2, '0')
  const minutes = String(abs % 60).padStart(2, '0')
  return `UTC${sign}${hours}:${minutes}`
}

/** The current offset label of `zone` at `now`. */
export function zoneOffsetLabel(zone: string, now: Date | number = Date.now()): string {
  return formatOffset(zoneFor(zone).offset(millisOf(now)))
}

/**
 * Current IANA names of zones that V8's `Intl.supportedValuesOf` still lists under their legacy
 * CLDR ids (e.g. Asia/Calcutta). Both spellings are offered so either one can be picked and found.
 */
const MODERN_ZONE_NAMES = [
  'Africa/Asmara',
  'America/Argentina/Buenos_Aires',
  'America/Argentina/Catamarca',
  'America/Argentina/Cordoba',
  'America/Argentina/Jujuy',
  'America/Argentina/Mendoza',
  'America/Atikokan',
  'America/Indiana/Indianapolis',
  'America/Kentucky/Louisville',
  'America/Nuuk',
  'Asia/Ho_Chi_Minh',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'Asia/Yangon',
  'Atlantic/Faroe',
  'Europe/Kyiv',
  'Pacific/Chuuk',
  'Pacific/Kanton',
  'Pacific/Pohnpei',
]

let zoneListCache: { minute: number; zones: ZoneInfo[] } | null = null

/**
 * Every IANA zone this runtime supports, plus "UTC" (and the current names of renamed zones), with its offset at `now`, sorted by offset
 * then name. The list is cached per minute of `now`.
 */
export function listZones(now: Date | number = Date.now()): ZoneInfo[] {
  const ms = millisOf(now)
  const minute = Math.floor(ms / 60_000)
  if (zoneListCache && zoneListCache.minute === minute) return zoneListCache.zones
  const names = new Set<string>(Intl.supportedValuesOf('timeZone'))
  names.add('UTC')
  for (const name of MODERN_ZONE_NAMES) names.add(name)
  const zones: ZoneInfo[] = []
  for (const name of names) {
    if (!isValidZone(name)) continue
    const offset = zoneFor(name).offset(ms)
    zones.push({ zone: name, offset, offsetLabel: formatOffset(offset) })
  }
  zones.sort((a, b) => a.offset - b.offset || a.zone.localeCompare(b.zone))
  zoneListCache = { minute, zones }
  return zones
}

/**
 * A wall-clock "yyyy-MM-ddTHH:mm" in `zone` as an RFC 3339 UTC instant (for date-time inputs that
 * are edited in the organization timezone). Null when the input is not a valid local time.
 */
export function zonedLocalToInstant(local: string, zone: string): string | null {
  const dt = DateTime.fromISO(local, { zone: zoneFor(zone) })
  return dt.isValid ? dt.toUTC().toISO({ suppressMilliseconds: true }) : null
}

/** An instant as the "yyyy-MM-ddTHH:mm" wall-clock of `zone` (the inverse of the above). */
export function instantToZonedLocal(ts: Date | number | string, zone: string): string {
  const dt = toDateTime(ts, zone)
  return dt.isValid ? dt.toFormat("yyyy-MM-dd'T'HH:mm") : ''
}
