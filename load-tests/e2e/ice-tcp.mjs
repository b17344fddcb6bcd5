// ICE-TCP against a running Parley server that advertises only TCP candidates
// (PARLEY_ICE_TCP_ONLY=true): two Chromium participants see each other, and every peer connection's
// selected candidate pair is TCP on both ends.
// Usage: node ice-tcp.mjs <base-url> <tcp-port>
// Prints one line per check and "N passed, N failed"; exits non-zero on any failure.

import { chromium } from 'playwright-core';
import { FLAGS, check, results, until } from './lib.mjs';

const base = process.argv[2];
const tcpPort = Number(process.argv[3]);
const ROOM = 'tcp-only-rom';
async function join(browser, name) {
  const context = await browser.newContext({ viewport: { width: 640, height: 360 } });
  const page = await context.newPage();
  // Keep every RTCPeerConnection the client makes, to read its selected candidate pair.
  await page.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    window.__pcs = [];
    window.RTCPeerConnection = function (...args) {
      const pc = new Original(...args);
      window.__pcs.push(pc);
      return pc;
    };
    window.RTCPeerConnection.prototype = Original.prototype;
  });
  page.on('console', (m) => m.type() === 'error' && console.log(`[${name}] ${m.text()}`));
  await page.goto(`${base}/r/${ROOM}?name=${encodeURIComponent(name)}&autojoin=1`);
  return { name, page, context };
}

async function remoteVideoPlaying(p) {
  let before = Infinity;
  await until(`${p.name} plays a remote video`, 30_000, async () => {
    const v = await p.page.evaluate(() =>
      [...document.querySelectorAll('video[data-participant]')].map((e) => ({ w: e.videoWidth, t: e.currentTime })),
    );
    const ok = v.length === 1 && v[0].w > 0 && v[0].t > before;
    before = v[0]?.t ?? Infinity;
    return { ok, detail: JSON.stringify(v) };
  });
}

/** The selected candidate pair of each of the page's peer connections, with both candidates. */
function selectedPairs(p) {
  return p.page.evaluate(async () => {
    const out = [];
    for (const pc of window.__pcs) {
      const stats = await pc.getStats();
      let pair = null;
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
      });
      if (!pair) {
        out.push({ state: pc.connectionState });
        continue;
      }
      const local = stats.get(pair.localCandidateId);
      const remote = stats.get(pair.remoteCandidateId);
      out.push({
        state: pc.connectionState,
        local: `${local.protocol} ${local.candidateType} ${local.tcpType ?? ''}`.trim(),
        remote: `${remote.protocol} ${remote.candidateType} ${remote.address}:${remote.port}`,
        bytesReceived: pair.bytesReceived,
      });
    }
    return out;
  });
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
try {
  const a = await join(browser, 'Ada');
  const b = await join(browser, 'Brook');
  await check('two Chromium participants play each other over ICE-TCP only', async () => {
    await Promise.all([a, b].map(remoteVideoPlaying));
  });
  await check('every peer connection runs on a TCP pair to the server\'s passive candidate', async () => {
    for (const p of [a, b]) {
      const pairs = await selectedPairs(p);
      console.log(`     ${p.name}: ${JSON.stringify(pairs)}`);
      if (pairs.length !== 2) throw new Error(`${p.name} has ${pairs.length} peer connections, not 2`);
      for (const pair of pairs) {
        if (pair.state !== 'connected') throw new Error(`${p.name}: ${JSON.stringify(pair)}`);
        if (!pair.local.startsWith('tcp ') || pair.local.endsWith('passive')) {
          throw new Error(`${p.name}: local candidate is not active TCP: ${pair.local}`);
        }
        if (pair.remote !== `tcp host 127.0.0.1:${tcpPort}`) {
          throw new Error(`${p.name}: remote candidate is ${pair.remote}, not TCP port ${tcpPort}`);
        }
      }
    }
  });
  await a.context.close();
  await b.context.close();
} finally {
  await browser.close();
}
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
