// How every browser test here launches Chromium: the system's (Debian's `chromium`, or
// CHROMIUM_PATH), never a downloaded one, with the network chatter this machine's closed
// network refuses turned off. Used by playwright.config.ts and the install test.
module.exports = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
