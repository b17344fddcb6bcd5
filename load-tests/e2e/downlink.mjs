// What a viewer on a narrow downlink sees: a publisher (Chromium, fake camera, simulcast) on this
// host and a viewer (Chromium in a network namespace whose link from the server is shaped by
// load-tests/downlink.sh) join one meeting; after `settle` seconds the viewer's received video is
// read from getStats over `seconds`: frames per second, the resolution it was decoding, packets
// lost, freezes, the bitrate, the share of audio the decoder had to make up, and how many tiles say their video is paused for the connection
// (SCREENSHOT=path.png keeps a picture of the viewer's page at the end). Usage: node downlink.mjs <base-url> <viewer-chromium> <settle> <seconds>
// VIEWER=firefox: the viewer is Firefox ESR, started by the given command, whose page reports its
// getStats to this script (its page, not a secure context at the namespace's address, joins
// without camera and mic: it only watches).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { reportEndpoint, startFirefox, stopFirefox } from './firefox.mjs';
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
const firefox = process.env.VIEWER === 'firefox';
const viewerBrowser = firefox ? null : await chromium.launch({ executablePath: viewerChromium, headless: true, args: flags });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Firefox's viewer: its page's reports, in the shape VIDEO_IN gives. */
async function firefoxViewer() {
  const endpoint = await reportEndpoint(host);
  // The page reports only to a loopback address (web/src/report.ts): in the viewer's network
  // namespace (NETNS) a relay on its 127.0.0.1 passes the reports on to this script.
  const port = new URL(endpoint.url).port;
  const relay = process.env.NETNS
    ? spawn('ip', ['netns', 'exec', process.env.NETNS, process.execPath, '-e',
      `require('net').createServer((c) => c.pipe(require('net').connect(${port}, '${host}')).pipe(c)).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' })
    : null;
  const reportTo = relay ? `http://127.0.0.1:${port}/report` : endpoint.url;
  const fx = startFirefox(`${base}/r/${room}?name=View&autojoin=1&report=${encodeURIComponent(reportTo)}`, viewerChromium);
  const read = () => {
    const r = endpoint.reports.at(-1);
    const v = r?.videoIn ?? {};
    const audio = { concealedSamples: v['audio.concealedSamples'] ?? 0, silentConcealedSamples: v['audio.silentConcealedSamples'] ?? 0, totalSamplesReceived: v['audio.totalSamplesReceived'] ?? 0 };
    return { ...v, audio, frames: { video: v.framesDecoded ?? 0 }, at: r?.receivedAt ?? Date.now(), pausedTiles: r?.pausedTiles ?? 0 };
  };
  return {
    async started() {
      const end = Date.now() + 120_000;
      while (!(read().framesDecoded > 0)) {
        if (Date.now() > end) throw new Error(`Firefox decoded no frame: ${JSON.stringify(endpoint.reports.at(-1) ?? 'no report')}`);
        await sleep(500);
      }
    },
    read,
    async close() {
      await stopFirefox(fx).catch((e) => console.error(e.message));
      relay?.kill();
      endpoint.close();
    },
  };
}

/** The page's inbound video, summed over its peer connections. */
const VIDEO_IN = async () => {
  const sum = { packetsReceived: 0, packetsLost: 0, framesDecoded: 0, freezeCount: 0, totalFreezesDuration: 0, bytesReceived: 0, frameWidth: 0, frameHeight: 0 };
  const audio = { concealedSamples: 0, silentConcealedSamples: 0, totalSamplesReceived: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0 };
  const frames = {};
  let audioCodec;
  for (const pc of window.__pcs) {
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        for (const k of Object.keys(audio)) audio[k] += s[k] ?? 0;
        if (s.codecId) audioCodec = stats.get(s.codecId)?.mimeType;
      }
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        frames[s.mid ?? s.id] = s.framesDecoded ?? 0;
        for (const k of Object.keys(sum)) {
          if (k === 'frameWidth' || k === 'frameHeight') sum[k] = Math.max(sum[k], s[k] ?? 0);
          else sum[k] += s[k] ?? 0;
        }
      }
    });
  }
  return { ...sum, audio, audioCodec, frames, at: performance.now() };
};

/** What the publisher's page sends: per simulcast layer its height and bytes, why it is held back. */
const PUBLISHER_OUT = async () => {
  const layers = {};
  let available = 0;
  let limitation = '';
  for (const pc of window.__pcs) {
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        layers[s.rid ?? s.ssrc] = { height: s.frameHeight ?? 0, bytes: s.bytesSent ?? 0, active: s.active !== false };
        if (s.qualityLimitationReason && s.qualityLimitationReason !== 'none') limitation = s.qualityLimitationReason;
      }
      if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate) available = Math.max(available, s.availableOutgoingBitrate);
    });
  }
  return { layers, available, limitation, at: performance.now() };
};

/** The publisher's sending between two readings: kbit/s per layer (by height), its estimate, limits. */
function publisherSummary(first, last) {
  if (!first || !last) return null;
  const s = (last.at - first.at) / 1000;
  const layers = Object.keys(last.layers).map((k) => `${last.layers[k].height}p:${Math.round(((last.layers[k].bytes - (first.layers[k]?.bytes ?? 0)) * 8) / s / 1000)}`);
  return { layers: layers.join(' '), availableKbps: Math.round(last.available / 1000), limitation: last.limitation || 'none' };
}

async function join(browser, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(keepPeerConnections);
  const page = await context.newPage();
  await page.goto(`${base}/r/${room}?name=${name}&autojoin=1`);
  await page.waitForFunction(() => document.body.dataset.participantId, null, { timeout: 60_000 });
  return page;
}

const publisherPages = [];
try {
  for (let i = 0; i < Number(publishers); i++) publisherPages.push(await join(publisherBrowser, i === 0 ? 'Cam' : `Cam${i + 1}`));
  if (firefox) {
    const fox = await firefoxViewer();
    try {
      await fox.started();
      await sleep(Number(settle) * 1000);
      const first = fox.read();
      await sleep(Number(seconds) * 1000);
      const last = fox.read();
      console.log(JSON.stringify(summary(first, last, [last], last.pausedTiles)));
    } finally {
      await fox.close();
    }
  } else {
    const viewer = await join(viewerBrowser, 'View');
    await viewer.waitForFunction(async () => {
      let frames = 0;
      for (const pc of window.__pcs) (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0; });
      return frames > 0;
    }, null, { timeout: 60_000, polling: 500 });
    await new Promise((r) => setTimeout(r, Number(settle) * 1000));
    const first = await viewer.evaluate(VIDEO_IN);
    const publisherFirst = await publisherPages[0].evaluate(PUBLISHER_OUT);
    const samples = [];
    for (let t = 0; t < Number(seconds); t++) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push(await viewer.evaluate(VIDEO_IN));
  }
  const last = samples[samples.length - 1];
  const pausedNotes = await viewer.evaluate(() => document.querySelectorAll('.tile.bandwidth-paused').length);
  if (process.env.SCREENSHOT) await viewer.screenshot({ path: process.env.SCREENSHOT });
  const publisher = publisherSummary(publisherFirst, await publisherPages[0].evaluate(PUBLISHER_OUT));
  console.log(JSON.stringify({ ...summary(first, last, samples, pausedNotes), publisher }));
  }
} finally {
  await viewerBrowser?.close();
  await publisherBrowser.close();
}

/** What the viewer saw between two readings. */
function summary(first, last, samples, pausedNotes) {
  const s = (last.at - first.at) / 1000;
  const lost = last.packetsLost - first.packetsLost;
  const received = last.packetsReceived - first.packetsReceived;
  return {
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
    audioKbps: Math.round(((last.audio.bytesReceived ?? 0) - (first.audio.bytesReceived ?? 0)) * 8 / s / 1000),
    audioLost: (last.audio.packetsLost ?? 0) - (first.audio.packetsLost ?? 0),
    audioCodec: last.audioCodec,
    audioConcealedPercent: +((100 * (last.audio.concealedSamples - first.audio.concealedSamples
      - (last.audio.silentConcealedSamples - first.audio.silentConcealedSamples)))
      / Math.max(1, last.audio.totalSamplesReceived - first.audio.totalSamplesReceived)).toFixed(2),
  };
}
