import { IANAZone } from 'luxon'
import type { Branding } from '../../src/shared/models'
import type { Database } from '../db/database'

const DEFAULTS: Branding = { timezone: 'UTC', organization_name: 'Tidings' }

export function isValidTimezone(zone: string): boolean {
  return zone === 'UTC' || IANAZone.isValidZone(zone)
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
