import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { LANGUAGE_PREFERENCES } from '../../shared/i18n/locales'
import { Limits } from '../../shared/limits'
import {
  DEFAULT_PREFERENCES,
  MAX_PINNED_CONVERSATIONS,
  MAX_RECENT_EMOJI,
  type DoNotDisturb,
  type Preferences,
} from '../../shared/preferences'
import { CoreError, CoreErrorCode } from './coreError'
import type { LocalStore } from './localStore'

const PREFERENCES_KEY = 'preferences'

const TimeOfDay = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })

/** A settings/set request: any subset of fields; `dnd` may itself be partial. */
const PreferencesPatch = Type.Object(
  {
    clock: Type.Optional(Type.Union([Type.Literal('12h'), Type.Literal('24h')])),
    notifications_enabled: Type.Optional(Type.Boolean()),
    notification_sound: Type.Optional(Type.Boolean()),
    notification_privacy: Type.Optional(
      Type.Union([Type.Literal('full'), Type.Literal('sender_only'), Type.Literal('hidden')]),
    ),
    muted_conversation_ids: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 10_000 }),
    ),
    pinned_conversation_ids: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), {
        maxItems: MAX_PINNED_CONVERSATIONS,
        uniqueItems: true,
      }),
    ),
    dnd: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(
            Type.Union([
              Type.Literal('off'),
              Type.Literal('on'),
              Type.Literal('until'),
              Type.Literal('schedule'),
            ]),
          ),
          until: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
          schedule_start: Type.Optional(TimeOfDay),
          schedule_end: Type.Optional(TimeOfDay),
        },
        { additionalProperties: false },
      ),
    ),
    theme: Type.Optional(
      Type.Union([Type.Literal('system'), Type.Literal('light'), Type.Literal('dark')]),
    ),
    language: Type.Optional(
      Type.Union(LANGUAGE_PREFERENCES.map((language) => Type.Literal(language))),
    ),
    auto_update: Type.Optional(Type.Boolean()),
    emoji_skin_tone: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
    recent_emoji: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: Limits.reactionEmojiMaxChars }), {
        maxItems: MAX_RECENT_EMOJI,
        uniqueItems: true,
      }),
    ),
    unencrypted_sign_in: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

/**
 * The user's preferences, persisted in the local store. Every change is validated and merged
 * into the current value, so a partial update from the settings window never drops other
 * fields, and a stored value from an older version is completed with today's defaults.
 */
export class PreferencesStore {
  private readonly store: LocalStore
  private current: Preferences
  /**
   * The stores whose secrets follow `unencrypted_sign_in`: this one and, with several servers,
   * each server's (serverPreferences.ts), so one tick box decides for every session.
   */
  private readonly secretHolders = new Set<LocalStore>()

  constructor(store: LocalStore) {
    this.store = store
    this.current = completePreferences(store.getJson<unknown>(PREFERENCES_KEY))
    this.keepSecretsOf(store)
  }

  get(): Preferences {
    return this.current
  }

  /** Validates `patch`, merges it, saves and returns the result. Throws invalid_request. */
  set(patch: unknown): Preferences {
    const next = mergePreferences(this.current, validatePreferencesPatch(patch))
    this.current = next
    this.store.setJson(PREFERENCES_KEY, next)
    for (const holder of this.secretHolders) {
      // A closed store is a removed server's, or the app stopping: nothing more to decide.
      if (holder.isOpen) holder.setPlainSecretsAllowed(next.unencrypted_sign_in)
      else this.secretHolders.delete(holder)
    }
    return next
  }

  /**
   * `store` keeps its secrets as the user chose for this device (`unencrypted_sign_in`: on disk
   * unencrypted when the OS has no keyring, or only for this run), now and after each change.
   */
  keepSecretsOf(store: LocalStore): void {
    store.setPlainSecretsAllowed(this.current.unencrypted_sign_in)
    this.secretHolders.add(store)
  }
}

export type PreferencesPatch = Partial<Omit<Preferences, 'dnd'>> & { dnd?: Partial<DoNotDisturb> }

export function validatePreferencesPatch(patch: unknown): PreferencesPatch {
  if (!Value.Check(PreferencesPatch, patch)) {
    const first = [...Value.Errors(PreferencesPatch, patch)][0]
    const where = first?.instancePath || '/'
    throw new CoreError(
      CoreErrorCode.InvalidRequest,
      `Invalid preferences at ${where}: ${first?.message ?? 'unexpected value'}`,
    )
  }
  const valid = patch as PreferencesPatch
  if (valid.dnd?.until !== undefined && valid.dnd.until !== null) {
    if (!Number.isFinite(Date.parse(valid.dnd.until))) {
      throw new CoreError(CoreErrorCode.InvalidRequest, 'dnd.until must be an RFC 3339 instant')
    }
  }
  return valid
}

export function mergePreferences(current: Preferences, patch: PreferencesPatch): Preferences {
  const dnd: DoNotDisturb = { ...current.dnd, ...patch.dnd }
  if (dnd.mode === 'until' && dnd.until === null) {
    throw new CoreError(CoreErrorCode.InvalidRequest, "dnd.mode 'until' needs dnd.until")
  }
  return {
    ...current,
    ...patch,
    // Duplicates would make un-muting need several clicks.
    muted_conversation_ids: [
      ...new Set(patch.muted_conversation_ids ?? current.muted_conversation_ids),
    ],
    dnd,
  }
}

/** Stored preferences completed with defaults; anything unreadable falls back to the default. */
export function completePreferences(stored: unknown): Preferences {
  const base: Preferences = structuredClone(DEFAULT_PREFERENCES)
  if (typeof stored !== 'object' || stored === null) return base
  const result = { ...base }
  const record = stored as Record<string, unknown>
  for (const key of Object.keys(base) as (keyof Preferences)[]) {
    if (!(key in record)) continue
    try {
      const patch = validatePreferencesPatch({ [key]: record[key] })
      Object.assign(result, mergePreferences(result, patch))
    } catch {
      // Keep the default for this one field.
    }
  }
  return result
}
