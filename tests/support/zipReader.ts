import yauzl from 'yauzl'

/** One entry of a ZIP read back: its name, its uncompressed size, and its bytes on demand. */
export interface ZipEntry {
  name: string
  size: number
  read(): Promise<Buffer>
}

export interface OpenZip {
  entries: Map<string, ZipEntry>
  close(): void
}

/**
 * The entries of a ZIP file, read with yauzl (which checks the central directory, and each
 * entry's CRC and size as it is read). Close it when done.
 */
export async function readZip(file: string): Promise<OpenZip> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false })
  const entries = new Map<string, ZipEntry>()
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.set(entry.fileName, {
        name: entry.fileName,
        size: entry.uncompressedSize,
        read: async () => {
          const chunks: Buffer[] = []
          for await (const chunk of await zip.openReadStreamPromise(entry)) {
            chunks.push(chunk as Buffer)
          }
          return Buffer.concat(chunks)
        },
      })
      zip.readEntry()
    })
    zip.once('end', resolve)
    zip.once('error', reject)
    zip.readEntry()
  })
  return { entries, close: () => zip.close() }
}
