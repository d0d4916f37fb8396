import path from 'node:path'
import {
  previewTestResolver,
  startPageServer,
  type PageServer,
} from '../tests/support/previewPages'
import { expectNoSeriousViolations } from './support/axe'
import { bobOpensConversation, expect, signUpPair, test } from './support/fixtures'
import { messageItems, send } from './support/flows'
import { png } from './support/images'
import { SCREENSHOTS } from './support/screenshots'

// Link previews end to end: the server unfurls a page served on loopback (reached as
// `preview.test`, which only this test's server may connect to); Bob sees the card under Alice's
// message with the page's image (read through main), opens the link, and Alice removes the card.

const COVER = png(160, 100, [217, 119, 6])

let pages: PageServer

test.beforeAll(async () => {
  pages = await startPageServer((req, res) => {
    if (req.url === '/cover.png') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(COVER)
      return
    }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(`<html><head><title>Release notes</title>
      <meta property="og:title" content="Tidings 2.0 is out">
      <meta property="og:description" content="Threads, previews of links and a faster search.">
      <meta property="og:site_name" content="Tidings Blog">
      <meta property="og:image" content="/cover.png"></head><body></body></html>`)
  })
})

test.afterAll(() => pages.close())

test.use({ serverOptions: { linkPreviewResolveHost: previewTestResolver } })

test('Bob sees the card of Alice’s link with its image and opens it; Alice removes the card', async ({
  world,
}) => {
  const pair = await signUpPair(world)
  const { alicePage, bobPage, bob } = pair
  await bobOpensConversation(pair)
  const link = pages.at('/release')
  await send(alicePage, `The release notes: ${link}`)

  const bobsCopy = messageItems(bobPage).filter({ hasText: 'The release notes' })
  const card = bobsCopy.getByTestId('link-preview')
  await expect(card).toBeVisible()
  await expect(card.getByTestId('link-preview-site')).toHaveText('Tidings Blog')
  await expect(card.getByTestId('link-preview-description')).toHaveText(
    'Threads, previews of links and a faster search.',
  )
  const title = card.getByRole('link', { name: 'Tidings 2.0 is out' })
  await expect(title).toHaveAttribute('href', link)
  await expect(title).toHaveAttribute('target', '_blank')
  await expect(title).toHaveAttribute('rel', 'noopener noreferrer')
  // The page's image, from the server through main, decoded by the page (a blob: URL).
  const image = card.getByTestId('link-preview-image')
  await expect(image).toHaveAttribute('src', /^blob:/)
  await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(160)
  // Only its sender may remove it.
  await expect(card.getByTestId('remove-preview')).toHaveCount(0)
  await expectNoSeriousViolations(bobPage, 'a message with a link preview')
  await bobPage.screenshot({ path: path.join(SCREENSHOTS, 'link-preview.png') })

  // The title opens the page outside the app, as a link in a message does: a new window, which
  // Electron's window-open handler gives to the system browser (here, a page of the same test).
  await bob.context.route(/^http:\/\/preview\.test:\d+\//, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<title>Opened</title>' }),
  )
  const opened = bobPage.waitForEvent('popup')
  await title.click()
  const browserTab = await opened
  expect(browserTab.url()).toBe(link)
  await browserTab.close()

  // Alice removes the card: it goes on both sides, and stays gone.
  const alicesCopy = messageItems(alicePage).filter({ hasText: 'The release notes' })
  const remove = alicesCopy.getByRole('button', {
    name: 'Remove preview of Tidings 2.0 is out',
  })
  await expect(remove).toBeVisible()
  await expectNoSeriousViolations(alicePage, 'an own message with a link preview')
  await remove.click()
  await expect(alicesCopy.getByTestId('link-preview')).toHaveCount(0)
  await expect(card).toHaveCount(0)
  await bobPage.reload()
  await bobOpensConversation(pair)
  await expect(bobsCopy).toBeVisible()
  await expect(bobsCopy.getByTestId('link-preview')).toHaveCount(0)
})
