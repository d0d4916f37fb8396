import type { Branding } from '../../shared/models'
import type { CoreOutputs } from './coreHost'
import type { RestClient } from './restClient'

/**
 * The organization's name and timezone as the core knows them: loaded over REST, changed by the
 * admin (branding/set) or by the stream's timezone notice; every window hears of a change
 * (`branding/changed`). Until branding is loaded, the newest timezone seen on an event envelope
 * stands in.
 */
export class BrandingState {
  private branding: Branding | null = null
  private eventTimezone: string | null = null

  constructor(
    private readonly rest: RestClient,
    private readonly outputs: CoreOutputs,
    private readonly isStopped: () => boolean,
  ) {}

  /** The branding as last loaded or changed; null until then. */
  get current(): Branding | null {
    return this.branding
  }

  /** The organization timezone in which notification times and DND schedules are read. */
  get timezone(): string {
    return this.branding?.timezone ?? this.eventTimezone ?? 'UTC'
  }

  async load(): Promise<Branding> {
    const branding = await this.rest.branding()
    this.update(branding)
    return branding
  }

  async setTimezone(timezone: string): Promise<Branding> {
    const branding = await this.rest.setBranding({ timezone })
    this.update(branding)
    return branding
  }

  /** Every event envelope carries the organization timezone. */
  noteEventTimezone(timezone: string): void {
    this.eventTimezone = timezone
  }

  /** The stream's notice that the admin changed the timezone. */
  timezoneChanged(timezone: string): void {
    this.update({ timezone, organization_name: this.branding?.organization_name ?? '' })
  }

  private update(branding: Branding): void {
    const changed =
      this.branding?.timezone !== branding.timezone ||
      this.branding?.organization_name !== branding.organization_name
    this.branding = branding
    if (changed && !this.isStopped()) this.outputs.push('branding/changed', branding)
  }
}
