/**
 * True when a preferences change means the app must restart to talk to another server: the
 * server URL differs from the one this run started with (null = bundled server).
 */
export function serverChoiceChanged(startedWith: string | null, preferred: string | null): boolean {
  return (startedWith ?? null) !== (preferred ?? null)
}
