import { IANAZone } from 'luxon'
import type { Branding } from '../../src/shared/models'
import type { Queryable } from '../storage/database'
import type { Tx } from '../storage/unitOfWork'

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

/**
 * The admin-configured branding settings, cached in memory (every event's envelope carries the
 * timezone) and written through to the database. A change is announced as a control event, and
 * every server node reads the settings again when it applies it.
 */
export class BrandingSettings {
  private current: Branding = { ...DEFAULTS }
  /** Counts this node's own changes, so that a read begun before one cannot undo it. */
  private changes = 0

  constructor(private readonly db: Queryable) {}

  /**
   * Reads the stored settings (at start-up, and when a node changed them). A read that a change
   * of this node overtook keeps the change: that change's own control event reads them again once
   * it is committed (on PostgreSQL a control event is applied after its commit, so an earlier
   * change's read could otherwise land after a later change and put the older value back).
   */
  async load(): Promise<Branding> {
    const changesBefore = this.changes
    const rows = await this.db.all(
      this.db.q
        .selectFrom('settings')
        .select(['key', 'value'])
        .where('key', 'in', ['timezone', 'organization_name']),
    )
    const stored = Object.fromEntries(rows.map((row) => [row.key, row.value]))
    if (this.changes !== changesBefore) return this.get()
    this.current = {
      timezone:
        stored.timezone && isValidTimezone(stored.timezone) ? stored.timezone : DEFAULTS.timezone,
      organization_name: stored.organization_name ?? DEFAULTS.organization_name,
    }
    return this.get()
  }

  get(): Branding {
    return { ...this.current }
  }

  get timezone(): string {
    return this.current.timezone
  }

  /** Stores new values in the unit of work that announces them. */
  async set(tx: Tx, update: Partial<Branding>): Promise<Branding> {
    const updated = { ...this.current, ...update }
    this.current = updated
    this.changes += 1
    for (const [key, value] of Object.entries(update)) {
      await tx.run(
        tx.q
          .insertInto('settings')
          .values({ key, value: String(value) })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(value) })),
      )
    }
    tx.events.control({ kind: 'branding_changed' })
    return { ...updated }
  }
}
