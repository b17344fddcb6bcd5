// Three Chromium participants in one room, against a running Parley server.
// Usage: node meeting.mjs <base-url> <screenshot-path>
// Prints one line per check and "N passed, N failed"; exits non-zero on any failure.

import { chromium } from 'playwright-core';

const base = process.argv[2];
const screenshot = process.argv[3];
const ROOM = 'eee-test-rom';
const OTHER_ROOM = 'oth-room-tst';
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

let passed = 0;
let failed = 0;
async function check(name, body) {
  const started = Date.now();
  try {
    await body();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}

async function join(browser, room, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && console.log(`[${name}] ${m.text()}`));
  await page.goto(`${base}/r/${room}?name=${encodeURIComponent(name)}&autojoin=1`);
  await page.waitForFunction(() => document.body.dataset.participantId, null, { timeout: 15_000 });
  const id = await page.evaluate(() => document.body.dataset.participantId);
  return { name, page, context, id };
}

/** Waits until the page shows `n` remote videos that play (size known, time advancing). */
async function remoteVideosPlaying(p, n, timeout = 30_000) {
  await p.page.waitForFunction(
    async (n) => {
      const videos = [...document.querySelectorAll('video[data-participant]')];
      if (videos.length !== n) return false;
      const before = videos.map((v) => v.currentTime);
      await new Promise((r) => setTimeout(r, 300));
      return videos.every((v, i) => v.videoWidth > 0 && v.currentTime > before[i]);
    },
    n,
    { timeout, polling: 500 },
  );
}

async function audioFlowing(p) {
  const first = await p.page.evaluate(() => window.parley.received());
  await p.page.waitForFunction(
    async (first) => (await window.parley.received()).audio > first.audio + 10,
    first,
    { timeout: 15_000, polling: 500 },
  );
}

async function tileCount(p, id, count, timeout) {
  await p.page.waitForFunction(
    ([id, count]) => document.querySelectorAll(`[data-tile="${id}"]`).length === count,
    [id, count],
    { timeout, polling: 200 },
  );
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
try {
  const a = await join(browser, ROOM, 'Ada');
  const b = await join(browser, ROOM, 'Brook');
  let c = await join(browser, ROOM, 'Cyd');
  const all = () => [a, b, c];

  await check('each page plays two remote videos', async () => {
    await Promise.all(all().map((p) => remoteVideosPlaying(p, 2)));
  });
  await check('each page receives audio', async () => {
    await Promise.all(all().map(audioFlowing));
  });
  if (screenshot) await a.page.screenshot({ path: screenshot });

  await check('a participant who leaves disappears within 5 s', async () => {
    await c.page.click('#leave');
    await Promise.all([a, b].map((p) => tileCount(p, c.id, 0, 5_000)));
  });
  await check('a participant who rejoins is back', async () => {
    await c.context.close();
    c = await join(browser, ROOM, 'Cyd');
    await Promise.all(all().map((p) => remoteVideosPlaying(p, 2)));
  });
  await check('a killed page is gone from the others within 30 s', async () => {
    await c.context.close();
    await Promise.all([a, b].map((p) => tileCount(p, c.id, 0, 30_000)));
  });
  await check('a participant of another room sees none of them', async () => {
    const d = await join(browser, OTHER_ROOM, 'Dee');
    await d.page.waitForTimeout(0);
    const tiles = await d.page.evaluate(() => document.querySelectorAll('[data-tile]').length);
    if (tiles !== 1) throw new Error(`expected only its own tile, saw ${tiles}`);
    const count = await a.page.evaluate(() => document.querySelectorAll('video[data-participant]').length);
    if (count !== 1) throw new Error(`room ${ROOM} shows ${count} remote videos, expected 1`);
    await d.context.close();
  });
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
