import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

/**
 * Runs axe on the page as it is now and lists its serious and critical violations. A soft
 * assertion: the test goes on to the other screens and fails at the end with all of them.
 */
export async function expectNoSeriousViolations(
  page: Page,
  screen: string,
  options: { disableRules?: readonly string[] } = {},
): Promise<void> {
  const results = await new AxeBuilder({ page })
    .disableRules([...(options.disableRules ?? [])])
    .analyze()
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }))
  expect.soft(serious, `${screen}: serious or critical axe violations`).toEqual([])
  // axe must actually have looked at something on this screen.
  expect(results.passes.length, `${screen}: axe ran no passing rule`).toBeGreaterThan(10)
}
