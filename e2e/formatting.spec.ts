import { expectNoSeriousViolations } from './support/axe'
import { bobOpensConversation, expect, signUpPair, test } from './support/fixtures'
import { ALICE, BOB, conversationItem, messageItems, openConversation } from './support/flows'

// Message formatting end to end: Bob writes Markdown (with Ctrl+B for bold), Alice sees it
// formatted, a fenced block highlighted, raw HTML as the text typed, links and mentions working
// inside it; her conversation list shows the message as plain text. The hint and the formatted
// message pass axe.

test('formatting: Markdown shown formatted, HTML as text, the list preview plain; Ctrl+B wraps; :shortcode: completion', async ({
  world,
}) => {
  // Many screens after one sign-up of two people: more than the default time on a loaded machine.
  test.slow()
  const pair = await signUpPair(world)
  const { alicePage, bobPage } = pair
  await bobOpensConversation(pair)
  await openConversation(alicePage, BOB.displayName)

  // The composer explains the formatting and names the shortcuts.
  const composer = bobPage.getByTestId('composer')
  const hint = bobPage.getByTestId('formatting-hint')
  await expect(hint).toContainText('**bold**')
  await expect(hint).toContainText('Ctrl+B bold')
  await expect(composer).toHaveAccessibleDescription(/Formatting:/)

  // Ctrl+B around a selection, and again to take it off.
  await composer.fill('make it loud')
  await composer.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(8, 12))
  await composer.press('Control+b')
  await expect(composer).toHaveValue('make it **loud**')
  await composer.press('Control+b')
  await expect(composer).toHaveValue('make it loud')
  await composer.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(8, 12))
  await composer.press('Control+i')
  await expect(composer).toHaveValue('make it _loud_')

  // :shortcode: completion: ":tad" offers 🎉 first, Enter puts it in place of what was typed.
  await composer.fill('')
  await composer.pressSequentially('Ship it :tad')
  const emojiList = bobPage.getByRole('listbox', { name: 'Emoji' })
  await expect(emojiList.getByRole('option').first()).toHaveAttribute('data-emoji', '🎉')
  await expect(composer).toHaveAttribute('aria-expanded', 'true')
  await expectNoSeriousViolations(bobPage, 'composer with the :shortcode: list open')
  await composer.press('Enter')
  await expect(emojiList).toHaveCount(0)
  await expect(composer).toHaveValue('Ship it 🎉')
  await composer.pressSequentially(' :+1')
  await expect(emojiList.getByRole('option').first()).toHaveAttribute('data-emoji', '👍')
  await composer.press('Tab')
  await expect(composer).toHaveValue('Ship it 🎉 👍')
  await composer.press('Enter')
  await expect(messageItems(alicePage).filter({ hasText: 'Ship it 🎉 👍' })).toBeVisible()

  const text = [
    `**Release** is _out_, ~~late~~ \`v2\` for @${ALICE.username}: [notes](https://example.com/notes)`,
    '> quoted line',
    '- first item',
    '- second item',
    '```ts',
    'const answer: number = 42',
    '```',
    '<b>not bold</b> <img src=x onerror="document.title=1">',
  ].join('\n')
  await composer.fill(text)
  await composer.press('Enter')
  await expect(composer).toHaveValue('')

  const message = messageItems(alicePage).filter({ hasText: 'quoted line' })
  const formatted = message.getByTestId('formatted-text')
  await expect(formatted).toBeVisible()
  await expect(formatted.locator('strong')).toHaveText('Release')
  await expect(formatted.locator('em')).toHaveText('out')
  await expect(formatted.locator('del')).toHaveText('late')
  await expect(formatted.locator('p code').first()).toHaveText('v2')
  await expect(formatted.locator('blockquote')).toHaveText('quoted line')
  await expect(formatted.locator('ul > li')).toHaveText(['first item', 'second item'])
  const link = formatted.getByRole('link', { name: 'notes' })
  await expect(link).toHaveAttribute('href', 'https://example.com/notes')
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer')
  await expect(formatted.getByTestId('mention')).toHaveAttribute('data-username', ALICE.username)

  // The code block: labelled, focusable, highlighted once the grammars load.
  const code = formatted.getByRole('group', { name: 'Code (ts)' })
  await expect(code).toHaveAttribute('data-highlighted', 'true')
  await expect(code.locator('.hljs-keyword').first()).toHaveText('const')
  await expect(code).toHaveText('const answer: number = 42')

  // Raw HTML is the text typed: no <b>, no <img>, nothing ran.
  await expect(formatted).toContainText('<b>not bold</b> <img src=x onerror="document.title=1">')
  await expect(formatted.locator('b, img')).toHaveCount(0)
  expect(await alicePage.title()).not.toBe('1')

  // The list shows it as plain text, on one line.
  await expect(
    conversationItem(alicePage, BOB.displayName).locator('.conversation__preview'),
  ).toContainText(`${BOB.displayName}: Release is out, late v2 for @${ALICE.username}: notes`)

  await expectNoSeriousViolations(alicePage, 'formatted message')
  await expectNoSeriousViolations(bobPage, 'composer with the formatting hint')
})
