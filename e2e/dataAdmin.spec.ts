import path from 'node:path'
import { readZip } from '../tests/support/zipReader'
import type { Message } from '../src/shared/models'
import { expectNoSeriousViolations } from './support/axe'
import { expect, signUpPair, test } from './support/fixtures'
import { BOB, RestUser, send } from './support/flows'
import { SCREENSHOTS } from './support/screenshots'

// The settings window's data screens end to end (the real server, the real core, the built
// renderer in Chromium): "Export my data" for everyone, message retention for admins.

test('a user exports their data to a ZIP; a member sees no retention policy', async ({ world }) => {
  const pair = await signUpPair(world)
  const { alice, bob, alicePage, conversationId } = pair
  await send(alicePage, 'Minutes of <the meeting> & more')

  // Export: the ZIP lands where the save dialog said, with the conversation's messages.
  const settings = await alice.open(world.rendererUrl, 'settings.html')
  const exportSection = settings.getByTestId('export-section')
  await expect(exportSection.getByRole('heading', { name: 'Your data' })).toBeVisible()
  await exportSection.getByRole('button', { name: 'Export my data' }).click()
  await expect(exportSection.getByRole('status')).toHaveText(/^Saved \(\d+(\.\d)? (B|KB)\)\.$/)
  const fileName = alice.savedFiles.at(-1)!
  expect(fileName).toMatch(/^tidings-export-alice-\d{4}-\d{2}-\d{2}\.zip$/)
  const zip = await readZip(path.join(alice.downloadsDir, fileName))
  try {
    const entry = zip.entries.get(`conversations/${conversationId}/messages.json`)
    const messages = JSON.parse((await entry!.read()).toString('utf8')) as Message[]
    expect(messages.map((m) => m.text)).toContain('Minutes of <the meeting> & more')
    expect(zip.entries.has('index.html')).toBe(true)
  } finally {
    zip.close()
  }

  // A member: the export, no retention section; the server refuses the policy to them anyway.
  const bobSettings = await bob.open(world.rendererUrl, 'settings.html')
  await expect(bobSettings.getByTestId('export-section')).toBeVisible()
  await expect(bobSettings.getByTestId('retention-section')).toHaveCount(0)
  expect(
    await bobSettings.evaluate(() => window.__tidingsInvoke('admin/getRetention', undefined)),
  ).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  await expectNoSeriousViolations(bobSettings, 'settings: export (member)')
  const bobRest = await RestUser.login(world.backend.url, BOB)
  await expect(bobRest.call('GET', '/admin/retention')).rejects.toThrow(/403/)
})

test('an admin sets message retention, asked first when it deletes history', async ({ world }) => {
  const { alice, alicePage, aliceRest, conversationId } = await signUpPair(world)
  await send(alicePage, 'Minutes of <the meeting> & more')
  const settings = await alice.open(world.rendererUrl, 'settings.html')

  // Forever by default; a shorter period asks first.
  const retention = settings.getByTestId('retention-section')
  await expect(retention.getByRole('heading', { name: 'Message retention' })).toBeVisible()
  await expect(retention.getByTestId('retention-current')).toContainText(
    'Messages are kept forever.',
  )
  await retention.getByLabel('Delete messages after a number of days').check()
  const days = retention.getByLabel('Days a message is kept')
  await days.fill('0')
  await retention.getByRole('button', { name: 'Save retention' }).click()
  await expect(retention.getByRole('alert')).toHaveText(/from 1 to 36,500/)
  expect(await aliceRest.call('GET', '/admin/retention')).toEqual({ message_retention_days: null })

  await days.fill('30')
  await retention.getByRole('button', { name: 'Save retention' }).click()
  const question = retention.getByTestId('retention-confirm')
  await expect(question).toContainText('Delete every message older than 30 days')
  // The question takes focus; axe looks at the whole window with it open.
  await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await expectNoSeriousViolations(settings, 'settings: export and retention (admin)')
  await retention.screenshot({ path: path.join(SCREENSHOTS, 'retention.png') })
  // Nothing is changed before the answer.
  expect(await aliceRest.call('GET', '/admin/retention')).toEqual({ message_retention_days: null })
  await question.getByRole('button', { name: 'Delete older messages' }).click()
  await expect(retention.getByRole('status')).toHaveText(
    'Saved. Messages and their files are deleted 30 days after they were sent.',
  )
  await expect(question).toHaveCount(0)
  expect(await aliceRest.call('GET', '/admin/retention')).toEqual({ message_retention_days: 30 })
  // Today's message is younger than the policy: it stays.
  expect((await aliceRest.messages(conversationId)).map((m) => m.text)).toContain(
    'Minutes of <the meeting> & more',
  )

  // Keeping messages longer deletes nothing: saved without a question. Then forever again.
  await days.fill('60')
  await retention.getByRole('button', { name: 'Save retention' }).click()
  await expect(retention.getByRole('status')).toHaveText(/deleted 60 days after/)
  await retention.getByLabel('Keep messages forever').check()
  await retention.getByRole('button', { name: 'Save retention' }).click()
  await expect(retention.getByRole('status')).toHaveText('Saved. Messages are kept forever.')
  expect(await aliceRest.call('GET', '/admin/retention')).toEqual({ message_retention_days: null })
})
