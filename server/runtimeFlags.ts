/**
 * Node flags every launch of the server uses: `npm run server` (package.json), the desktop app's
 * utility process (src/main/electron/serverSupervisor.ts) and the benchmark.
 *
 * `--max-semi-space-size=16` caps V8's young generation at 16 MiB per semi-space. On a machine
 * with plenty of memory V8 lets it grow larger during bursts of allocation, such as thousands of
 * clients connecting at once, and those pages stay resident afterwards: with the default, 10,000
 * idle connections cost 10.3 KB of RSS each; with the cap, 3.3 KB (npm run bench, connect phase),
 * for the same heap per connection (3.1 KB).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16']
