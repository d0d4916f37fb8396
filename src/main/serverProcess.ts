/// <reference types="electron" />
// Entry of the bundled events server, run by serverSupervisor.ts in an Electron utility process
// (built to out/main/serverProcess.js). Options come from argv/env; the port goes back over
// process.parentPort. It never imports `electron` at run time.
import { startServer } from '../../server/startServer'
import { runServerChild } from './electron/serverChild'

void runServerChild({
  argv: process.argv,
  env: process.env,
  parentPort: process.parentPort,
  startServer,
  exit: (code) => process.exit(code),
})
