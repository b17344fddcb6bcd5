// How much sound (and picture) two Chromium participants lose to packet loss: both join a meeting
// on a running server, and for `seconds` each one's received audio is read from getStats: packets
// received and lost, and the samples the decoder had to make up (concealed, not counting made-up
// silence) out of all it played; and its received video: packets lost (after every resend), NACKs
// and PLIs it sent, frames decoded, and freezes. Run by load-tests/audio-loss.sh, which puts
// random loss on the media port, and load-tests/path.sh, which puts a whole path (delay and loss)
// between the browsers and the server.
// Usage: node audio-loss.mjs <base-url> <seconds>
import { chromium } from 'playwright-core';
import { FLAGS, keepPeerConnections } from './lib.mjs';

const [base, seconds = '20'] = process.argv.slice(2);
const letters = (n) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 26)]).join('');
const room = `aud-${letters(4)}-los`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });

/** Sums the inbound audio and video statistics of every RTCPeerConnection of the page. */
const BOTH = async () => {
  const audio = { packetsReceived: 0, packetsLost: 0, concealedSamples: 0, silentConcealedSamples: 0, totalSamplesReceived: 0, jitterBufferDelay: 0, jitterBufferEmittedCount: 0 };
  const video = { packetsReceived: 0, bytesReceived: 0, headerBytesReceived: 0, packetsLost: 0, nackCount: 0, pliCount: 0, framesDecoded: 0, freezeCount: 0, totalFreezesDuration: 0, jitterBufferDelay: 0, jitterBufferTargetDelay: 0, jitterBufferEmittedCount: 0 };
  let height = 0; // of the last frame decoded: the layer received at the end
  for (const pc of window.__pcs) {
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const sum = s.kind === 'audio' ? audio : video;
      for (const k of Object.keys(sum)) sum[k] += s[k] ?? 0;
      if (s.kind === 'video') height = Math.max(height, s.frameHeight ?? 0);
    });
  }
  return { audio, video, height };
};

try {
  const pages = [];
  for (const name of ['Ada', 'Bo']) {
    const context = await browser.newContext();
    await context.addInitScript(keepPeerConnections);
    const page = await context.newPage();
    await page.goto(`${base}/r/${room}?name=${name}&autojoin=1`);
    await page.waitForFunction(() => document.body.dataset.participantId, null, { timeout: 30_000 });
    pages.push({ name, page });
  }
  // Audio flowing both ways before the window starts.
  const deadline = Date.now() + 30_000;
  for (const p of pages) {
    while ((await p.page.evaluate(BOTH)).audio.packetsReceived < 50) {
      if (Date.now() > deadline) throw new Error(`${p.name} receives no audio`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const first = await Promise.all(pages.map((p) => p.page.evaluate(BOTH)));
  await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
  const last = await Promise.all(pages.map((p) => p.page.evaluate(BOTH)));
  const delta = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]]));
  const out = pages.map((p, i) => {
    const d = delta(first[i].audio, last[i].audio);
    const v = delta(first[i].video, last[i].video);
    const concealed = d.concealedSamples - d.silentConcealedSamples;
    return {
      receiver: p.name,
      packetsReceived: d.packetsReceived,
      packetsLost: d.packetsLost,
      lossPercent: +((100 * d.packetsLost) / Math.max(1, d.packetsReceived + d.packetsLost)).toFixed(2),
      concealedPercent: +((100 * concealed) / Math.max(1, d.totalSamplesReceived)).toFixed(2),
      // The mean time a sample waited in the jitter buffer (what a playout delay adds to).
      delayMs: Math.round((1000 * d.jitterBufferDelay) / Math.max(1, d.jitterBufferEmittedCount)),
      video: {
        packetsReceived: v.packetsReceived,
        // Everything that arrived, headers and padding too.
        kbps: Math.round(((v.bytesReceived + v.headerBytesReceived) * 8) / Number(seconds) / 1000),
        lossPercent: +((100 * v.packetsLost) / Math.max(1, v.packetsReceived + v.packetsLost)).toFixed(2),
        nacks: v.nackCount,
        plis: v.pliCount,
        fps: +(v.framesDecoded / Number(seconds)).toFixed(1),
        height: last[i].height,
        freezes: v.freezeCount,
        frozenSeconds: +v.totalFreezesDuration.toFixed(2),
        delayMs: Math.round((1000 * v.jitterBufferDelay) / Math.max(1, v.jitterBufferEmittedCount)),
        // What the browser aimed at: its jitter estimate, or a playout delay the server asked for.
        targetMs: Math.round((1000 * v.jitterBufferTargetDelay) / Math.max(1, v.jitterBufferEmittedCount)),
      },
    };
  });
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}
