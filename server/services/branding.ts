import { IANAZone } from 'luxon'
import type { Branding } from '../../src/shared/models'
import type { Database } from '../db/database'

const DEFAULTS: Branding = { timezone: 'UTC', organization_name: 'Tidings' }

export function isValidTimezone(zone: string): boolean {
  return zone === 'UTC' || IANAZone.isValidZone(zone)
}

/**
 * A valid zone's name in its usual case ("america/new_york" is "America/New_York"), so that the
 * same zone typed in another case is no change; otherwise the name as given. Intl also maps
 * aliases to the name its ICU version prefers (Node 24's turns Asia/Kolkata into Asia/Calcutta),
 * which would rename an admin's choice, so only a difference of case is taken from it.
 */
export function zoneName(zone: string): string {
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone
}

/** The admin-configured branding settings, cached in memory and written through to SQLite. */
export class BrandingSettings {
  private current: Branding

  constructor(private readonly db: Database) {
    const rows = db.all(
      db.q
        .selectFrom('settings')
        .select(['key', 'value'])
        .where('key', 'in', ['timezone', 'organization_name']),
    )
    const stored = Object.fromEntries(rows.map((row) => [row.key, row.value]))
    this.current = {
      timezone:
        stored.timezone && isValidTimezone(stored.timezone) ? stored.timezone : DEFAULTS.timezone,
      organization_name: stored.organization_name ?? DEFAULTS.organization_name,
    }
  }

  get(): Branding {
    return { ...this.current }
  }

  get timezone(): string {
    return this.current.timezone
  }

  /** Stores new values; call inside the unit of work that announces them. */
  set(update: Partial<Branding>): Branding {
    this.current = { ...this.current, ...update }
    for (const [key, value] of Object.entries(update)) {
      this.db.run(
        this.db.q
          .insertInto('settings')
          .values({ key, value: String(value) })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(value) })),
      )
    }
    return this.get()
  }
}
