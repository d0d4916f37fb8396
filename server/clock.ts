/** The current instant as RFC 3339 in UTC with a `Z`, the only timestamp form on the wire. */
export function nowIso(): string {
  return new Date().toISOString()
}
