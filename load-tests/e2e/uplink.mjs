// What one person's browser encodes and uploads in a meeting, from its own getStats: per simulcast
// layer the bitrate sent and the time its encoder spent, while (1) alone in the room, (2) shown in
// a grid tile by one other person, (3) spotlit by that person. With the server's default, layers
// nobody watches are not sent; PARLEY_PAUSE_UNWATCHED_LAYERS=false on the server sends all three
// always, for comparison.
// Usage: node uplink.mjs <base-url> [--settle S] [--seconds S]   (Chromium, fake camera 1280x720)
// Prints one line per phase: kbit/s per layer, encoder ms per second, frames per second. Chromium
// encodes the layers of a frame together and reports that time against each active layer, so the
// encoder's time is the largest of them, not their sum.

import { chromium } from 'playwright-core';
import { FLAGS, open, until } from './lib.mjs';

const base = process.argv[2];
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const settle = arg('--settle', 8);
const seconds = arg('--seconds', 10);
const room = `upl-${Math.random().toString(36).slice(2, 6).replace(/[0-9]/g, 'x')}-nkq`;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });

async function join(name) {
  const p = await open(browser, name);
  await p.page.goto(`${base}/r/${room}?name=${name}&autojoin=1`);
  await p.page.waitForFunction(() => document.body.dataset.participantId, null, { timeout: 30_000 });
  return p;
}

const layers = async (p) => Object.fromEntries((await p.page.evaluate(() => window.parley.sending())).filter((s) => s.rid).map((s) => [s.rid, s]));

/** Waits `settle` s, then measures the publisher's layers over `seconds` s. */
async function measure(phase, p) {
  await new Promise((r) => setTimeout(r, settle * 1000));
  const a = await layers(p);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const b = await layers(p);
  const s = (Date.now() - t0) / 1000;
  const row = { phase, kbps: {}, encodeMsPerS: {}, fps: {} };
  let kbps = 0;
  for (const rid of ['q', 'h', 'f']) {
    if (!b[rid]) continue;
    row.kbps[rid] = Math.round(((b[rid].bytesSent - (a[rid]?.bytesSent ?? 0)) * 8) / s / 1000);
    row.encodeMsPerS[rid] = Math.round(((b[rid].totalEncodeTime - (a[rid]?.totalEncodeTime ?? 0)) * 1000) / s);
    row.fps[rid] = Math.round(((b[rid].framesEncoded - (a[rid]?.framesEncoded ?? 0)) / s) * 10) / 10;
    kbps += row.kbps[rid];
  }
  row.kbpsTotal = kbps;
  row.encoderMsPerS = Math.max(...Object.values(row.encodeMsPerS));
  console.log(JSON.stringify(row));
}

try {
  const ada = await join('Ada');
  await measure('alone', ada);
  const bo = await join('Bo');
  await until('Bo sees Ada', 30_000, async () => ({
    ok: await bo.page.evaluate(() => [...document.querySelectorAll('video[data-participant]')].some((v) => v.videoWidth > 0)),
  }));
  await measure('grid tile', ada);
  await bo.page.click('#toggle-layout');
  await measure('spotlit', ada);
} finally {
  await browser.close();
}
