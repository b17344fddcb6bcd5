// A user's tour of a running Parley server, with a screenshot of each step: the home page, a new
// meeting's prejoin page, the room alone, and the room with a second participant.
// Usage: node tour.mjs <base-url> <output-dir>
import { chromium } from 'playwright-core';

const [base, out] = process.argv.slice(2);
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
try {
  const a = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  await a.goto(base);
  await a.screenshot({ path: `${out}/1-home.png` });
  await a.click('#new-meeting');
  await a.waitForSelector('#join-now', { timeout: 15_000 });
  await a.fill('#name', 'Ada');
  await a.waitForTimeout(1500); // let the camera preview start, for the picture only
  await a.screenshot({ path: `${out}/2-prejoin.png` });
  const link = a.url();
  await a.click('#join-now');
  await a.waitForFunction(() => document.body.dataset.participantId, null, { timeout: 15_000 });
  await a.screenshot({ path: `${out}/3-alone.png` });

  const b = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  await b.goto(`${link}${link.includes('?') ? '&' : '?'}name=Brook&autojoin=1`);
  await a.waitForFunction(
    () => [...document.querySelectorAll('video[data-participant]')].some((v) => v.videoWidth > 0 && v.currentTime > 1),
    null,
    { timeout: 30_000, polling: 250 },
  );
  await a.screenshot({ path: `${out}/4-two-people.png` });
  console.log(`tour done: ${link}`);
} finally {
  await browser.close();
}
