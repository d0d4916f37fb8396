/**
 * Polls `condition` (sync or async) every `intervalMs` until it returns true, or rejects after
 * `timeoutMs` with `description`. For state that has no event to wait on (e.g. a server-side
 * connection count); prefer waiting on a frame or a process event when there is one.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  description: string,
  { timeoutMs = 10_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await condition()) return
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${description}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
