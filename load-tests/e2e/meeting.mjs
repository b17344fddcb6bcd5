// Browser end-to-end checks against a running Parley server: three Chromium participants in one
// room, then a Firefox ESR participant with two Chromium ones.
// Usage: node meeting.mjs <base-url> <screenshot-path>
// Prints one line per check and "N passed, N failed"; exits non-zero on any failure.

import { chromium } from 'playwright-core';
import { reportEndpoint, startFirefox, stopFirefox } from './firefox.mjs';

const base = process.argv[2];
const screenshot = process.argv[3];
const ROOM = 'eee-test-rom';
const OTHER_ROOM = 'oth-room-tst';
const FOX_ROOM = 'fox-room-tst';
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

const tick = () => new Promise((r) => setTimeout(r, 250));

/**
 * Polls `probe` until it returns { ok: true }, or throws after `ms` with what it saw last. Probes
 * run in Node and page.evaluate awaits the page's promises, so asynchronous page state (getStats)
 * is read correctly; a predicate of page.waitForFunction must not be async.
 */
async function until(what, ms, probe) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await probe();
    if (r.ok) return r;
    if (Date.now() > end) throw new Error(`${what}: ${r.detail ?? 'not yet'} after ${ms} ms`);
    await tick();
  }
}

async function join(browser, room, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && console.log(`[${name}] ${m.text()}`));
  await page.goto(`${base}/r/${room}?name=${encodeURIComponent(name)}&autojoin=1`);
  await page.waitForFunction(() => document.body.dataset.participantId, null, { timeout: 20_000 });
  const id = await page.evaluate(() => document.body.dataset.participantId);
  return { name, page, context, id };
}

/** The remote camera videos of a page: participant id, size, media time, visibility. */
function remoteVideos(p) {
  return p.page.evaluate(() =>
    [...document.querySelectorAll('video[data-participant]')].map((v) => ({
      id: v.dataset.participant, w: v.videoWidth, h: v.videoHeight, t: v.currentTime,
      hidden: getComputedStyle(v).visibility === 'hidden',
    })),
  );
}

/** Waits until the page shows `n` remote videos that play (size known, time advancing, visible). */
async function remoteVideosPlaying(p, n, ms = 30_000) {
  let before = new Map();
  await until(`${p.name} plays ${n} remote videos`, ms, async () => {
    const now = await remoteVideos(p);
    const ok = now.length === n && now.every((v) => v.w > 0 && !v.hidden && v.t > (before.get(v.id) ?? Infinity));
    before = new Map(now.map((v) => [v.id, v.t]));
    return { ok, detail: JSON.stringify(now) };
  });
}

async function audioFlowing(p) {
  const first = await p.page.evaluate(() => window.parley.received());
  await until(`${p.name} receives audio`, 15_000, async () => {
    const now = await p.page.evaluate(() => window.parley.received());
    return { ok: now.audio > first.audio + 10, detail: `audio packets ${first.audio} → ${now.audio}` };
  });
}

/** The server's redundant-audio counters (from /metrics). */
async function redCounters() {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (name) => Number(text.match(new RegExp(`^parley_red_packets_${name}_total (\\S+)$`, 'm'))?.[1] ?? NaN);
  return { received: read('received'), forwarded: read('forwarded'), stripped: read('stripped') };
}

async function tileCount(p, id, count, ms) {
  await until(`${p.name} shows ${count} tile(s) of ${id}`, ms, async () => {
    const n = await p.page.evaluate((id) => document.querySelectorAll(`[data-tile="${id}"]`).length, id);
    return { ok: n === count, detail: `${n} tile(s)` };
  });
}

/**
 * Screenshots a page once every remote video has played for a while, at 640 wide or more if that
 * comes within 10 s (the layer follows the SFU's bandwidth estimate, not the client), so the
 * picture shows live video rather than tiles whose first frame is still on its way.
 */
async function screenshotWhenLive(p, n, path) {
  const started = Date.now();
  await until(`${p.name} shows ${n} live videos for the screenshot`, 30_000, async () => {
    const now = await remoteVideos(p);
    const wide = Date.now() - started > 10_000 ? 1 : 640;
    return { ok: now.length === n && now.every((v) => v.t > 2 && v.w >= wide && !v.hidden), detail: JSON.stringify(now) };
  });
  await p.page.screenshot({ path });
}

// E2E_ONLY=firefox runs only the Firefox part (for working on it).
const only = process.env.E2E_ONLY ?? '';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
try {
  if (only !== 'firefox') await chromiumRoom(browser);
  await firefoxRoom(browser);
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

async function chromiumRoom(browser) {
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
  await check('Chromium sends its mic as redundant audio (RED); the server passes it on as RED and the others decode sound', async () => {
    // getStats names the Opus inside, not RED: the server's counters say what went over the wire.
    const first = await redCounters();
    const energy = await Promise.all(all().map((p) => p.page.evaluate(() => window.parley.received())));
    await until('RED received and forwarded, none stripped', 10_000, async () => {
      const now = await redCounters();
      const ok = now.received > first.received + 100 && now.forwarded > first.forwarded + 100 && now.stripped === first.stripped;
      return { ok, detail: `${JSON.stringify(first)} → ${JSON.stringify(now)}` };
    });
    await Promise.all(all().map((p, i) => until(`${p.name} decodes sound`, 15_000, async () => {
      const now = await p.page.evaluate(() => window.parley.received());
      return { ok: now.audioEnergy > energy[i].audioEnergy, detail: `energy ${energy[i].audioEnergy} → ${now.audioEnergy}` };
    })));
  });
  if (screenshot) {
    await check('a screenshot of the three-person room shows three live videos', () =>
      screenshotWhenLive(a, 2, screenshot),
    );
  }

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
    // The room's state comes with the join reply, shown before the page sets its participant id.
    const tiles = await d.page.evaluate(() => document.querySelectorAll('[data-tile]').length);
    if (tiles !== 1) throw new Error(`expected only its own tile, saw ${tiles}`);
    await remoteVideosPlaying(a, 1);
    const seen = (await remoteVideos(a)).map((v) => v.id);
    if (seen.includes(d.id)) throw new Error(`room ${ROOM} shows ${d.id} of ${OTHER_ROOM}`);
    await d.context.close();
  });
  await a.context.close();
  await b.context.close();
}

async function firefoxRoom(browser) {
  // Firefox ESR with two Chromium participants (at most four browser pages at any time).
  const e = await join(browser, FOX_ROOM, 'Eve');
  const f = await join(browser, FOX_ROOM, 'Finn');
  const endpoint = await reportEndpoint();
  const fx = startFirefox(`${base}/r/${FOX_ROOM}?name=Fox&autojoin=1&report=${encodeURIComponent(endpoint.url)}`);
  console.log(`     Firefox ESR started, pid ${fx.child.pid}`);
  try {
    let fox = null;
    await check('Firefox ESR joins and plays both Chromium participants', async () => {
      // Most of this is Firefox's own cold start (a fresh profile, headless): ~20 s on a busy 2-core
      // machine before its page reports at all; once it runs, both videos play within seconds.
      await until('Firefox reports two remote videos playing', 120_000, async () => {
        const last = endpoint.reports.at(-1);
        if (last?.participantId) fox = last.participantId;
        return { ok: last?.remoteVideosPlaying === 2, detail: JSON.stringify(last ?? 'no report yet') };
      });
    });
    await check('Firefox ESR receives audio', async () => {
      const first = endpoint.reports.at(-1)?.audioPackets ?? 0;
      await until('Firefox audio packets grow', 15_000, async () => {
        const now = endpoint.reports.at(-1)?.audioPackets ?? 0;
        return { ok: now > first + 10, detail: `audio packets ${first} → ${now}` };
      });
    });
    await check('Firefox ESR, which takes no RED, gets the Chromium mics\' redundant audio as plain Opus and decodes sound', async () => {
      const first = { counters: await redCounters(), energy: endpoint.reports.at(-1)?.audioEnergy ?? 0 };
      await until('RED stripped for Firefox, and Firefox decodes sound', 15_000, async () => {
        const now = { counters: await redCounters(), energy: endpoint.reports.at(-1)?.audioEnergy ?? 0 };
        const ok = now.counters.stripped > first.counters.stripped + 50 && now.energy > first.energy;
        return { ok, detail: `${JSON.stringify(first)} → ${JSON.stringify(now)}` };
      });
    });
    await check('both Chromium participants play Firefox and each other, and hear them', async () => {
      await Promise.all([e, f].map((p) => remoteVideosPlaying(p, 2, 45_000))).catch((err) => {
        throw new Error(`${err.message}; Firefox reports ${JSON.stringify(endpoint.reports.at(-1))}`);
      });
      for (const p of [e, f]) {
        const ids = (await remoteVideos(p)).map((v) => v.id);
        if (!fox || !ids.includes(fox)) throw new Error(`${p.name} shows ${ids}, not Firefox's ${fox}`);
      }
      await Promise.all([e, f].map(audioFlowing));
    });
    await check('Firefox sends only the simulcast layers watched: not its top one while both Chromium participants show it in grid tiles', async () => {
      // The server asks for fewer layers 3 s after the need fell; Firefox reports once a second.
      let first = null;
      const done = await until('Firefox\'s top layer off', 30_000, async () => {
        const layers = endpoint.reports.at(-1)?.sentLayers ?? {};
        if (!layers.f || layers.f.active !== false) return { ok: false, detail: JSON.stringify(layers) };
        first ??= layers;
        const grown = Object.fromEntries(Object.keys(layers).map((rid) => [rid, layers[rid].packets - (first[rid]?.packets ?? 0)]));
        // Firefox names its layers in getStats (rid) from ESR 128 on; without that, the flags alone.
        // The middle layer is asked for (active); whether Firefox's encoder sends it yet is its own
        // uplink estimate's call (on a busy machine it can stay at the lowest for the whole wait).
        const counted = Object.values(first).some((l) => l.packets > 0);
        const ok = layers.h?.active === true && (!counted || (grown.f === 0 && grown.q > 20));
        return { ok, grown, counted, detail: JSON.stringify({ layers, grown }) };
      });
      console.log(`     Firefox's layers: ${JSON.stringify(endpoint.reports.at(-1).sentLayers)}; packets since its top layer went off: ${JSON.stringify(done.grown)}`);
    });
    await check('Firefox, stopped by PID, exits and leaves the room', async () => {
      const exit = await stopFirefox(fx);
      console.log(`     Firefox pid ${fx.child.pid} exited (${exit.signal ?? exit.code})`);
      if (fox) await Promise.all([e, f].map((p) => tileCount(p, fox, 0, 30_000)));
    });
  } finally {
    if (fx.child.exitCode === null && fx.child.signalCode === null) await stopFirefox(fx).catch(() => undefined);
    endpoint.close();
  }
}
