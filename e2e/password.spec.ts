import { expect, test } from './support/fixtures'
import { ALICE, RestUser, createFirstAccount } from './support/flows'

// Changing the password in the settings window, end to end: the real server, the real core and
// the built renderer in Chromium.

const NEW_PASSWORD = 'alice-new-password-2'

/** The HTTP status of a login attempt over REST. */
async function loginStatus(baseUrl: string, password: string): Promise<number> {
  const response = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ALICE.username, password }),
  })
  return response.status
}

test('Alice changes her password in settings; her other devices are signed out', async ({
  world,
}) => {
  const alice = await world.launch()
  const alicePage = await alice.open(world.rendererUrl)
  await createFirstAccount(alicePage, ALICE)
  // Another device of Alice's, signed in over REST.
  const otherDevice = await RestUser.login(world.backend.url, ALICE)

  const settings = await alice.open(world.rendererUrl, 'settings.html')
  // The harness answers as the app does (src/shared/ipc.ts): the settings page has no
  // messages/send, and a call of it anyway is refused; the main window may not change passwords.
  expect(
    await settings.evaluate(
      () => 'messages/send' in (window as unknown as { tidings: object }).tidings,
    ),
  ).toBe(false)
  expect(
    await settings.evaluate(() =>
      window.__tidingsInvoke('messages/send', { conversation_id: 1, text: 'from settings' }),
    ),
  ).toMatchObject({ ok: false, error: { code: 'untrusted_sender' } })
  expect(
    await alicePage.evaluate(() =>
      window.__tidingsInvoke('session/changePassword', {
        current_password: 'whatever',
        new_password: 'whatever else',
      }),
    ),
  ).toMatchObject({ ok: false, error: { code: 'untrusted_sender' } })
  const section = settings.getByTestId('password-section')
  await expect(section.getByRole('heading', { name: 'Password and devices' })).toBeVisible()
  const current = section.getByLabel('Current password')
  const next = section.getByLabel(/^New password/)
  const confirm = section.getByLabel('Confirm the new password')
  await expect(current).toHaveAttribute('autocomplete', 'current-password')
  await expect(next).toHaveAttribute('autocomplete', 'new-password')
  await expect(confirm).toHaveAttribute('autocomplete', 'new-password')

  // Checked in the window first: a confirmation that differs is never sent.
  await current.fill(ALICE.password)
  await next.fill(NEW_PASSWORD)
  await confirm.fill(`${NEW_PASSWORD}x`)
  await section.getByRole('button', { name: 'Change password' }).click()
  await expect(section.getByRole('alert')).toHaveText(/differ/)

  // The server's refusal of a wrong current password is shown next to the form.
  await current.fill('not-my-password')
  await confirm.fill(NEW_PASSWORD)
  await section.getByRole('button', { name: 'Change password' }).click()
  await expect(section.getByRole('alert')).toHaveText('The current password is wrong.')
  expect(await otherDevice.call('GET', '/users/me')).toMatchObject({ username: ALICE.username })

  await current.fill(ALICE.password)
  await section.getByRole('button', { name: 'Change password' }).click()
  await expect(section.getByRole('status')).toHaveText(
    'Password changed. 1 other device was signed out.',
  )
  await expect(section.getByRole('alert')).toHaveCount(0)
  for (const field of [current, next, confirm]) await expect(field).toHaveValue('')

  // This app stays signed in and connected; the other device's token is refused.
  await expect(alicePage.getByTestId('current-user')).toHaveText(ALICE.displayName)
  await expect(alicePage.getByTestId('connection-status')).toHaveAttribute(
    'data-status',
    'connected',
  )
  await expect(otherDevice.call('GET', '/users/me')).rejects.toThrow(/401/)
  expect(await loginStatus(world.backend.url, ALICE.password)).toBe(401)
  expect(await loginStatus(world.backend.url, NEW_PASSWORD)).toBe(200)
})

test('"Sign out other devices" asks first: Cancel signs nobody out, Sign out does', async ({
  world,
}) => {
  const alice = await world.launch()
  const alicePage = await alice.open(world.rendererUrl)
  await createFirstAccount(alicePage, ALICE)
  const otherDevice = await RestUser.login(world.backend.url, ALICE)

  const settings = await alice.open(world.rendererUrl, 'settings.html')
  const section = settings.getByTestId('password-section')
  const signOutOthers = section.getByRole('button', { name: 'Sign out other devices' })
  const confirm = section.getByTestId('sign-out-others-confirm')

  await signOutOthers.click()
  await expect(confirm).toBeVisible()
  await expect(confirm).toContainText('Sign out every other device signed in to your account?')
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused()
  // Asking signed nobody out.
  expect(await otherDevice.call('GET', '/users/me')).toMatchObject({ username: ALICE.username })

  // Cancel: nothing happens, and focus goes back to the button; Escape cancels too.
  await confirm.getByRole('button', { name: 'Cancel' }).click()
  await expect(confirm).toHaveCount(0)
  await expect(signOutOthers).toBeFocused()
  await settings.keyboard.press('Enter')
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await settings.keyboard.press('Escape')
  await expect(confirm).toHaveCount(0)
  await expect(signOutOthers).toBeFocused()
  await expect(section.getByRole('status')).toHaveText('')
  expect(await otherDevice.call('GET', '/users/me')).toMatchObject({ username: ALICE.username })

  // Confirmed: as before, the other device is signed out and this one stays.
  await signOutOthers.click()
  await confirm.getByRole('button', { name: 'Sign out', exact: true }).click()
  await expect(section.getByRole('status')).toHaveText('1 other device was signed out.')
  await expect(confirm).toHaveCount(0)
  await expect(signOutOthers).toBeFocused()
  await expect(otherDevice.call('GET', '/users/me')).rejects.toThrow(/401/)
  await expect(alicePage.getByTestId('current-user')).toHaveText(ALICE.displayName)
})
