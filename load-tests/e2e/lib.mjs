// What the browser scripts share: Chromium's flags for fake devices on loopback, a check runner that
// prints one line per check, polling with deadlines, pages in their own contexts, and
// signalling-only participants.

export const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * An init script for a browser context: keeps each RTCPeerConnection its pages make in
 * `window.__pcs`, so a script can read their statistics.
 */
export function keepPeerConnections() {
  window.__pcs = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    window.__pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.assign(window.RTCPeerConnection, Native);
}

export const results = { passed: 0, failed: 0 };

/** Runs one check; a failure is printed and counted, and the next check runs. */
export async function check(name, body) {
  const started = Date.now();
  try {
    await body();
    results.passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 200));

/**
 * Polls `probe` until it returns { ok: true }, or throws after `ms` with what it saw last. Probes
 * run in Node, so page.evaluate can await the page's promises (getStats).
 */
export async function until(what, ms, probe) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await probe();
    if (r.ok) return r;
    if (Date.now() > end) throw new Error(`${what}: ${r.detail ?? 'not yet'} after ${ms} ms`);
    await tick();
  }
}

export function assert(ok, message) {
  if (!ok) throw new Error(message);
}

/** A page in a fresh browser context (its own storage), logging the page's errors. */
export async function open(browser, name, viewport = { width: 1280, height: 720 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && console.log(`[${name}] ${m.text()}`));
  page.on('pageerror', (e) => console.log(`[${name}] page error: ${e.message}`));
  return { name, page, context };
}

/**
 * Participants that only join over Socket.IO (raw Engine.IO v4 frames over a WebSocket of the
 * page) and never publish: tiles with an initial, costing the machine nothing. Subscribe offers
 * are declined. Closing the page makes them leave.
 */
export async function ghosts(browser, base, room, names) {
  const p = await open(browser, 'ghosts', { width: 320, height: 240 });
  await p.page.goto(`${base}/`);
  const ids = await p.page.evaluate(
    ({ room, names }) => {
      const one = (name) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
          ws.onerror = () => reject(new Error(`${name}: WebSocket error`));
          ws.onmessage = (m) => {
            const d = String(m.data);
            if (d === '2') ws.send('3');
            else if (d.startsWith('0')) ws.send('40');
            else if (d.startsWith('40')) ws.send(`421${JSON.stringify(['join', { roomId: room, name }])}`);
            else if (d.startsWith('431')) {
              const [reply] = JSON.parse(d.slice(3));
              if (reply.ok) resolve(reply.participantId);
              else reject(new Error(`${name}: ${reply.error}`));
            } else {
              const ack = /^42(\d+)\["subscribe-offer"/.exec(d);
              if (ack) ws.send(`43${ack[1]}${JSON.stringify([{ ok: false, error: 'no media here' }])}`);
            }
          };
        });
      return Promise.all(names.map(one));
    },
    { room, names },
  );
  return { ...p, ids };
}
