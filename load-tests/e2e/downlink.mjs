// What a viewer on a narrow downlink sees: a publisher (Chromium, fake camera, simulcast) on this
// host and a viewer (Chromium in a network namespace whose link from the server is shaped by
// load-tests/downlink.sh) join one meeting; after `settle` seconds the viewer's received video is
// read from getStats over `seconds`: frames per second, the resolution it was decoding, packets
// lost, freezes, the bitrate, the share of audio the decoder had to make up, and how many tiles say their video is paused for the connection
// (SCREENSHOT=path.png keeps a picture of the viewer's page at the end). Usage: node downlink.mjs <base-url> <viewer-chromium> <settle> <seconds>
import { chromium } from 'playwright-core';
import { FLAGS, keepPeerConnections } from './lib.mjs';

const [base, viewerChromium, settle = '10', seconds = '20', publishers = '1'] = process.argv.slice(2);
const letters = (n) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 26)]).join('');
const room = `dow-${letters(4)}-lnk`;
const host = new URL(base).hostname;
const flags = [
  ...FLAGS.map((f) => (f.startsWith('--host-resolver-rules') ? `${f}, EXCLUDE ${host}` : f)),
  `--unsafely-treat-insecure-origin-as-secure=${base}`,
];
const publisherBrowser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: flags });
const viewerBrowser = await chromium.launch({ executablePath: viewerChromium, headless: true, args: flags });

/** The page's inbound video, summed over its peer connections. */
const VIDEO_IN = async () => {
  const sum = { packetsReceived: 0, packetsLost: 0, framesDecoded: 0, freezeCount: 0, totalFreezesDuration: 0, bytesReceived: 0, frameWidth: 0, frameHeight: 0 };
  const audio = { concealedSamples: 0, silentConcealedSamples: 0, totalSamplesReceived: 0 };
  const frames = {};
  for (const pc of window.__pcs) {
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') for (const k of Object.keys(audio)) audio[k] += s[k] ?? 0;
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        frames[s.mid ?? s.id] = s.framesDecoded ?? 0;
        for (const k of Object.keys(sum)) {
          if (k === 'frameWidth' || k === 'frameHeight') sum[k] = Math.max(sum[k], s[k] ?? 0);
          else sum[k] += s[k] ?? 0;
        }
      }
    });
  }
  return { ...sum, audio, frames, at: performance.now() };
};

async function join(browser, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(keepPeerConnections);
  const page = await context.newPage();
  await page.goto(`${base}/r/${room}?name=${name}&autojoin=1`);
  await page.waitForFunction(() => document.body.dataset.participantId, null, { timeout: 60_000 });
  return page;
}

try {
  for (let i = 0; i < Number(publishers); i++) await join(publisherBrowser, i === 0 ? 'Cam' : `Cam${i + 1}`);
  const viewer = await join(viewerBrowser, 'View');
  await viewer.waitForFunction(async () => {
    let frames = 0;
    for (const pc of window.__pcs) (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0; });
    return frames > 0;
  }, null, { timeout: 60_000, polling: 500 });
  await new Promise((r) => setTimeout(r, Number(settle) * 1000));
  const first = await viewer.evaluate(VIDEO_IN);
  const samples = [];
  for (let t = 0; t < Number(seconds); t++) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(await viewer.evaluate(VIDEO_IN));
  }
  const last = samples[samples.length - 1];
  const pausedNotes = await viewer.evaluate(() => document.querySelectorAll('.tile.bandwidth-paused').length);
  if (process.env.SCREENSHOT) await viewer.screenshot({ path: process.env.SCREENSHOT });
  const s = (last.at - first.at) / 1000;
  const lost = last.packetsLost - first.packetsLost;
  const received = last.packetsReceived - first.packetsReceived;
  console.log(JSON.stringify({
    fps: +((last.framesDecoded - first.framesDecoded) / s).toFixed(1),
    // Frames per second of each video, when more than one publisher sends.
    perVideoFps: Object.keys(last.frames).map((k) => +((last.frames[k] - (first.frames[k] ?? 0)) / s).toFixed(1)),
    heights: [...new Set(samples.map((x) => x.frameHeight))].join('/'),
    lossPercent: +((100 * lost) / Math.max(1, lost + received)).toFixed(2),
    freezes: last.freezeCount - first.freezeCount,
    frozenSeconds: +(last.totalFreezesDuration - first.totalFreezesDuration).toFixed(2),
    kbps: Math.round(((last.bytesReceived - first.bytesReceived) * 8) / s / 1000),
    pausedTiles: pausedNotes,
    audioSamples: last.audio.totalSamplesReceived - first.audio.totalSamplesReceived,
    // Of the audio played, the share the decoder had to make up (not counting made-up silence).
    audioConcealedPercent: +((100 * (last.audio.concealedSamples - first.audio.concealedSamples
      - (last.audio.silentConcealedSamples - first.audio.silentConcealedSamples)))
      / Math.max(1, last.audio.totalSamplesReceived - first.audio.totalSamplesReceived)).toFixed(2),
  }));
} finally {
  await viewerBrowser.close();
  await publisherBrowser.close();
}
