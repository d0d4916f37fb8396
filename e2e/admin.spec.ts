import fs from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { AUDIT_CSV_COLUMNS } from '../src/shared/audit'
import { expectNoSeriousViolations } from './support/axe'
import { expect, test, type World } from './support/fixtures'
import type { DesktopClient } from './support/harness'
import { ALICE, BOB, RestUser, createFirstAccount } from './support/flows'
import { SCREENSHOTS } from './support/screenshots'

// The admin console's people part, end to end: the real server, the real cores and the built
// renderer in Chromium. Alice (the administrator) manages Bob from her settings window while
// Bob's own app is open.

const BOB_NEW_PASSWORD = 'bob-new-password-2'

/** Bob signs in on his app's login form. */
async function signInInApp(page: Page, password: string): Promise<void> {
  const form = page.getByTestId('login-form')
  await expect(form).toHaveAttribute('data-mode', 'signin')
  await form.getByLabel('Username').fill(BOB.username)
  await form.getByLabel('Password').fill(password)
  await form.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByTestId('current-user')).toHaveText(BOB.displayName)
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected')
}

/** Alice's app with the administrator account, and Bob registered (over REST) by her invite. */
async function aliceWithBobInvited(world: World): Promise<DesktopClient> {
  const alice = await world.launch()
  await createFirstAccount(await alice.open(world.rendererUrl), ALICE)
  await (await RestUser.login(world.backend.url, ALICE)).registerInvited(BOB)
  return alice
}

test('Alice deactivates Bob (his app signs out) and reactivates him', async ({ world }) => {
  const alice = await aliceWithBobInvited(world)
  const bob = await world.launch()
  const bobPage = await bob.open(world.rendererUrl)
  await signInInApp(bobPage, BOB.password)

  // A member's settings window has no admin console, and the server refuses its channels.
  const bobSettings = await bob.open(world.rendererUrl, 'settings.html')
  await expect(bobSettings.getByTestId('password-section')).toBeVisible()
  await expect(bobSettings.getByTestId('people-section')).toHaveCount(0)
  expect(
    await bobSettings.evaluate(() => window.__tidingsInvoke('admin/listUsers', undefined)),
  ).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  await bobSettings.close()

  const settings = await alice.open(world.rendererUrl, 'settings.html')
  const people = settings.getByTestId('people-section')
  await expect(people.getByRole('heading', { name: 'People' })).toBeVisible()
  const bobRow = people.locator('[data-testid="person-row"][data-username="bob"]')
  const aliceRow = people.locator('[data-testid="person-row"][data-username="alice"]')
  await expect(bobRow.getByTestId('person-role')).toHaveText('Member')
  await expect(bobRow.getByTestId('person-state')).toHaveText('Active')
  // Registering over REST gave Bob one session, his app's sign-in another.
  await expect(bobRow.getByTestId('person-devices')).toHaveText('2 devices signed in')
  await expect(aliceRow.getByTestId('person-role')).toHaveText('Administrator')
  await expect(aliceRow).toContainText('(you)')
  // Search by name narrows the list.
  await people.getByLabel('Search people').fill('bob m')
  await expect(people.getByTestId('person-row')).toHaveCount(1)
  await people.getByLabel('Search people').fill('')
  await expect(people.getByTestId('person-row')).toHaveCount(2)

  // The last administrator cannot demote herself: the server says why.
  await aliceRow.getByRole('button', { name: 'Remove administrator' }).click()
  await expect(people.getByTestId('people-error')).toContainText(/last/i)
  await expect(aliceRow.getByTestId('person-role')).toHaveText('Administrator')

  await expectNoSeriousViolations(settings, 'settings: admin console')

  // Deactivate asks first; Cancel does nothing and Bob stays signed in.
  await bobRow.getByRole('button', { name: 'Deactivate' }).click()
  await expect(bobRow.getByRole('group')).toContainText('Deactivate Bob Member?')
  await expect(bobRow.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await bobRow.getByRole('button', { name: 'Cancel' }).click()
  await expect(bobPage.getByTestId('current-user')).toHaveText(BOB.displayName)

  await bobRow.getByRole('button', { name: 'Deactivate' }).click()
  await bobRow.getByTestId('person-confirm').click()
  await expect(bobRow.getByTestId('person-state')).toHaveText('Deactivated')
  await expect(people.getByTestId('people-status')).toHaveText(
    'Bob Member was deactivated and signed out everywhere.',
  )
  // Bob's app is signed out at once (its socket closed with 4001), and he cannot sign in.
  await expect(bobPage.getByTestId('login-form')).toHaveAttribute('data-mode', 'signin')
  const form = bobPage.getByTestId('login-form')
  await form.getByLabel('Username').fill(BOB.username)
  await form.getByLabel('Password').fill(BOB.password)
  await form.getByRole('button', { name: 'Sign in' }).click()
  await expect(bobPage.getByTestId('login-error')).toBeVisible()

  await bobRow.getByRole('button', { name: 'Reactivate' }).click()
  await expect(bobRow.getByTestId('person-state')).toHaveText('Active')
  await signInInApp(bobPage, BOB.password)
})

test('Alice issues a reset code; Bob sets a new password with it; promoted, his app follows', async ({
  world,
}) => {
  const alice = await aliceWithBobInvited(world)
  const bob = await world.launch()
  const bobPage = await bob.open(world.rendererUrl)
  const form = bobPage.getByTestId('login-form')
  await expect(form).toHaveAttribute('data-mode', 'signin')
  const settings = await alice.open(world.rendererUrl, 'settings.html')
  const people = settings.getByTestId('people-section')
  const bobRow = people.locator('[data-testid="person-row"][data-username="bob"]')

  // A reset code, shown once, typed into Bob's "I have a password reset code" form.
  await bobRow.getByRole('button', { name: 'Reset password' }).click()
  const issued = people.getByTestId('reset-issued')
  await expect(issued).toContainText('Password reset code for @bob')
  const code = (await issued.getByTestId('reset-code-value').textContent())!.trim()
  expect(code).toMatch(/^[A-Za-z0-9_-]{8,}$/)
  await settings.screenshot({ path: path.join(SCREENSHOTS, 'admin-people.png'), fullPage: true })
  await issued.getByRole('button', { name: 'Done' }).click()
  await expect(issued).toHaveCount(0)

  await form.getByRole('button', { name: 'I have a password reset code' }).click()
  await expect(form).toHaveAttribute('data-mode', 'reset')
  await expect(form.getByRole('heading')).toHaveText('Set a new password')
  await expectNoSeriousViolations(bobPage, 'login: password reset form')
  await form.getByLabel('Reset code').fill(code)
  await form.getByLabel(/^New password/).fill(BOB_NEW_PASSWORD)
  await form.getByRole('button', { name: 'Set password and sign in' }).click()
  await expect(bobPage.getByTestId('current-user')).toHaveText(BOB.displayName)
  await expect(bobPage.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected')
  await expect(RestUser.login(world.backend.url, BOB)).rejects.toThrow(/unauthorized/)
  await RestUser.login(world.backend.url, { ...BOB, password: BOB_NEW_PASSWORD })

  // Promoted, Bob's own app follows at once: the top bar offers him invites.
  await bobRow.getByRole('button', { name: 'Make administrator' }).click()
  await expect(bobRow.getByTestId('person-role')).toHaveText('Administrator')
  await expect(bobPage.getByRole('button', { name: 'Create invite' })).toBeVisible()
})

test('Alice creates and revokes an invite, and reads and exports the audit log', async ({
  world,
}) => {
  const alice = await aliceWithBobInvited(world)

  const settings = await alice.open(world.rendererUrl, 'settings.html')
  const invites = settings.getByTestId('invites-section')
  await invites.getByLabel('Who it is for (optional)').fill('Carol from design')
  await invites.getByLabel('Valid for').selectOption({ label: '1 day' })
  await invites.getByRole('button', { name: 'Create invite' }).click()
  await expect(invites.getByTestId('invite-created-code')).toHaveText(/^\S{8,}$/)
  const carolInvite = invites.getByTestId('invite-row').filter({ hasText: 'Carol from design' })
  await expect(carolInvite.getByTestId('invite-state')).toHaveText('Not used yet')
  const used = invites.locator('[data-testid="invite-row"][data-state="used"]')
  await expect(used).toContainText(`used by ${BOB.displayName}`)
  await expect(used.getByRole('button', { name: /^Revoke/ })).toHaveCount(0)
  await carolInvite.getByRole('button', { name: 'Revoke invite Carol from design' }).click()
  await expect(carolInvite.getByTestId('invite-state')).toHaveText('Revoked')

  // The audit log lists what happened, newest first, and filters by person and kind.
  const audit = settings.getByTestId('audit-section')
  await audit.getByLabel('Kind').selectOption({ label: 'Invite revoked' })
  await expect(audit.getByTestId('audit-row')).toHaveCount(1)
  await expect(audit.getByTestId('audit-row')).toContainText(`${ALICE.displayName} (@alice)`)
  await audit.getByLabel('Kind').selectOption({ label: 'Every kind' })
  await audit.getByLabel('Person').selectOption({ label: `${BOB.displayName} (@bob)` })
  await expect(audit.locator('[data-testid="audit-row"][data-kind="user_registered"]')).toHaveCount(
    1,
  )
  await expect(audit.locator('[data-testid="audit-row"][data-kind="invite_revoked"]')).toHaveCount(
    0,
  )
  await expectNoSeriousViolations(settings, 'settings: invites and audit log')

  // Export with the person filter: main writes the file where the save dialog said.
  await audit.getByRole('button', { name: 'Export CSV' }).click()
  await expect(audit.getByTestId('audit-status')).toHaveText('Exported.')
  expect(alice.savedFiles.at(-1)).toMatch(/^tidings-audit-\d{4}-\d{2}-\d{2}\.csv$/)
  const csv = fs
    .readFileSync(path.join(alice.downloadsDir, alice.savedFiles.at(-1)!), 'utf8')
    .replace(/^\uFEFF/, '')
  const lines = csv.trim().split(/\r?\n/)
  expect(lines[0]).toBe(AUDIT_CSV_COLUMNS.join(','))
  expect(lines.length).toBeGreaterThan(1)
  expect(lines.slice(1).every((line) => line.includes('bob'))).toBe(true)
})
