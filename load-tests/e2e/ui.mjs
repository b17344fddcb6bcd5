// Browser checks of the meeting's user interface against a running Parley server, in real Chromium
// with the fake camera and mic: the prejoin page (devices, mic level, switching a device, joining
// with the camera off), the spotlight layout and pinning, tile badges, pages of tiles, a phone-sized
// screen, and accessible names. Two Chromium participants plus one page holding five
// signalling-only participants (no media: cheap), so the machine's two cores are not saturated.
// Usage: node ui.mjs <base-url> <screenshot-dir>
// Prints one line per check and "N passed, N failed"; exits non-zero on any failure.

import { chromium } from 'playwright-core';
import { FLAGS, assert, check, ghosts, open, results, until } from './lib.mjs';

const base = process.argv[2];
const out = process.argv[3];
const ROOM = 'uix-test-rom';

async function joinFromPrejoin(p) {
  await p.page.fill('#name', p.name);
  await p.page.click('#join-now');
  await p.page.waitForFunction(() => document.body.dataset.participantId, null, { timeout: 20_000 });
  p.id = await p.page.evaluate(() => document.body.dataset.participantId);
}

/** The tiles as the page lays them out. */
function tiles(p) {
  return p.page.evaluate(() =>
    [...document.querySelectorAll('.tile')].map((t) => {
      const r = t.getBoundingClientRect();
      const v = t.querySelector('video');
      const a = t.querySelector('audio');
      return {
        id: t.dataset.tile, label: t.getAttribute('aria-label'), role: t.getAttribute('role'),
        onPage: !t.classList.contains('off-page'), spotlit: t.classList.contains('spotlit'),
        cameraOff: t.classList.contains('camera-off'), speaking: t.dataset.speaking === 'true',
        x: r.x, y: r.y, w: r.width, h: r.height,
        videoAttached: !!v.srcObject, videoWidth: v.videoWidth,
        audioAttached: !!a?.srcObject, audioPaused: a ? a.paused : true,
      };
    }),
  );
}

/** Buttons without an accessible name (aria-label, aria-labelledby, text or title). */
function unnamedButtons(p) {
  return p.page.evaluate(() =>
    [...document.querySelectorAll('button')]
      .filter((b) => !(b.getAttribute('aria-label')?.trim() || b.getAttribute('aria-labelledby') || b.textContent.trim() || b.title.trim()))
      .map((b) => b.outerHTML.slice(0, 120)),
  );
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
const a = await open(browser, 'Ada');
const b = await open(browser, 'Bob');
try {
  await a.page.goto(`${base}/r/${ROOM}`);
  await a.page.waitForSelector('#join-now', { timeout: 15_000 });

  await check('prejoin lists the camera, microphone (and speaker where supported)', async () => {
    const d = await until('devices listed', 10_000, async () => {
      const d = await a.page.evaluate(() => ({
        cameras: [...document.querySelectorAll('#camera-select option')].map((o) => o.textContent),
        mics: [...document.querySelectorAll('#mic-select option')].map((o) => o.textContent),
        speakerShown: !document.querySelector('#speaker-select').closest('label').hidden,
        speakers: [...document.querySelectorAll('#speaker-select option')].map((o) => o.textContent),
        sinkSupported: 'setSinkId' in HTMLMediaElement.prototype,
      }));
      const ok = d.cameras.length > 0 && d.mics.length > 0 && !d.cameras[0].startsWith('No ') && !d.mics[0].startsWith('No ');
      return { ok, detail: JSON.stringify(d), ...d };
    });
    assert(d.speakerShown === (d.sinkSupported && d.speakers.length > 0), `speaker select shown only where usable: ${JSON.stringify(d)}`);
    console.log(`     cameras ${JSON.stringify(d.cameras)}, mics ${JSON.stringify(d.mics)}, speakers ${JSON.stringify(d.speakers)}`);
  });

  await check('the mic level meter moves with the fake mic\'s beep (role=meter, aria-valuenow)', async () => {
    const seen = new Set();
    await until('meter levels', 10_000, async () => {
      const now = await a.page.evaluate(() => {
        const m = document.querySelector('[role="meter"]');
        return { label: m.getAttribute('aria-label'), value: Number(m.getAttribute('aria-valuenow')) };
      });
      seen.add(now.value);
      return { ok: now.label && seen.size >= 3 && Math.max(...seen) > 10, detail: `levels seen ${[...seen].join(',')}` };
    });
  });

  await check('switching the camera and the mic reopens the track and the preview, without an error', async () => {
    const before = await a.page.evaluate(() => document.querySelector('#preview').srcObject.getVideoTracks()[0].id);
    const options = await a.page.$$eval('#camera-select option', (os) => os.map((o) => o.value));
    const current = await a.page.$eval('#camera-select', (s) => s.value);
    await a.page.selectOption('#camera-select', options.find((v) => v !== current) ?? current);
    await until('a new preview track plays', 10_000, async () => {
      const v = await a.page.evaluate(() => {
        const video = document.querySelector('#preview');
        const t = video.srcObject?.getVideoTracks()[0];
        return { id: t?.id, state: t?.readyState, w: video.videoWidth, disabled: document.querySelector('#camera-select').disabled };
      });
      return { ok: v.id && v.id !== before && v.state === 'live' && v.w > 0 && !v.disabled, detail: JSON.stringify(v) };
    });
    await a.page.selectOption('#mic-select', await a.page.$eval('#mic-select', (s) => s.value));
    const seen = new Set();
    await until('the meter moves on the reopened mic', 10_000, async () => {
      seen.add(await a.page.$eval('[role="meter"]', (m) => Number(m.getAttribute('aria-valuenow'))));
      return { ok: seen.size >= 3, detail: [...seen].join(',') };
    });
    const problems = await a.page.evaluate(() => ({
      error: document.querySelector('.prejoin .error').hidden ? null : document.querySelector('.prejoin .error').textContent,
      problem: document.querySelector('#media-problem')?.textContent ?? null,
    }));
    assert(!problems.error && !problems.problem, JSON.stringify(problems));
  });

  await check('"Test speaker" plays a chime (on the chosen speaker where the browser can choose) without an error', async () => {
    await a.page.click('#test-speaker');
    await until('the chime played', 10_000, async () => {
      const b = await a.page.$eval('#test-speaker', (x) => ({ played: x.dataset.played ?? '0', text: x.textContent, disabled: x.disabled }));
      return { ok: b.played === '1' && !b.disabled && b.text === 'Test speaker', detail: JSON.stringify(b) };
    });
    const error = await a.page.evaluate(() => {
      const e = document.querySelector('.prejoin .error');
      return e.hidden ? null : e.textContent;
    });
    assert(error === null, error);
  });

  await a.page.fill('#name', 'Ada');
  // For the picture: the meter mid-beep.
  await until('a loud moment', 5_000, async () => ({
    ok: (await a.page.$eval('[role="meter"]', (m) => Number(m.getAttribute('aria-valuenow')))) > 40,
  })).catch(() => undefined);
  await a.page.screenshot({ path: `${out}/prejoin.png` });
  await joinFromPrejoin(a);

  await b.page.goto(`${base}/r/${ROOM}`);
  await b.page.waitForSelector('#join-now', { timeout: 15_000 });
  await check('joining with the camera off: the other participant sees an initial, not video', async () => {
    await b.page.click('#prejoin-camera');
    const pressed = await b.page.$eval('#prejoin-camera', (e) => e.getAttribute('aria-pressed'));
    assert(pressed === 'false', `camera toggle aria-pressed=${pressed}`);
    assert(await b.page.isVisible('.preview-off'), 'the preview says the camera is off');
    await joinFromPrejoin(b);
    await until('Ada shows Bob with an initial', 20_000, async () => {
      const t = (await tiles(a)).find((t) => t.id === b.id);
      const avatar = await a.page.evaluate(
        (id) => {
          const e = document.querySelector(`[data-tile="${id}"] .avatar`);
          return e && { shown: getComputedStyle(e).display !== 'none', text: e.textContent };
        },
        b.id,
      );
      return { ok: t?.cameraOff && avatar?.shown && avatar.text === 'B', detail: JSON.stringify({ t, avatar }) };
    });
    await b.page.click('#toggle-camera');
    await until('Ada shows Bob\'s video once his camera is on', 20_000, async () => {
      const t = (await tiles(a)).find((t) => t.id === b.id);
      return { ok: t && !t.cameraOff && t.videoWidth > 0, detail: JSON.stringify(t) };
    });
  });

  await check('the grid is a list of tiles named after their participants', async () => {
    const roles = await a.page.evaluate(() => document.querySelector('.stage').getAttribute('role'));
    const ts = await tiles(a);
    assert(roles === 'list', `stage role ${roles}`);
    assert(ts.every((t) => t.role === 'listitem' && t.label), JSON.stringify(ts));
    assert(ts.some((t) => t.label === 'Bob') && ts.some((t) => t.label === 'Ada (you)'), JSON.stringify(ts.map((t) => t.label)));
  });

  await check('the connection quality of each tile is shown with an accessible label', async () => {
    await until('quality indicators', 20_000, async () => {
      const q = await a.page.evaluate(() =>
        [...document.querySelectorAll('.tile .quality')].map((e) => ({ hidden: e.hidden, label: e.getAttribute('aria-label') })),
      );
      return { ok: q.length === 2 && q.every((e) => !e.hidden && /^Connection: (good|fair|poor)$/.test(e.label)), detail: JSON.stringify(q) };
    });
  });

  await check('spotlight layout: one large tile (the other participant) and a filmstrip; pin makes the pinned one large', async () => {
    await a.page.click('#toggle-layout');
    assert((await a.page.$eval('#toggle-layout', (e) => e.getAttribute('aria-pressed'))) === 'true', 'layout toggle pressed');
    await until('spotlight on Bob', 5_000, async () => {
      const ts = await tiles(a);
      const big = ts.find((t) => t.spotlit);
      const small = ts.filter((t) => !t.spotlit);
      return { ok: big?.id === b.id && small.every((t) => t.w < big.w / 2), detail: JSON.stringify(ts) };
    });
    await a.page.click('button[aria-label="Pin Ada (you)"]');
    await until('spotlight on the pinned tile', 5_000, async () => {
      const ts = await tiles(a);
      const big = ts.find((t) => t.spotlit);
      return { ok: big?.id === 'self' && ts.find((t) => t.id === b.id).w < big.w / 2, detail: JSON.stringify(ts) };
    });
    await a.page.click('button[aria-label="Unpin Ada (you)"]');
    await until('spotlight back on Bob', 5_000, async () => ({ ok: (await tiles(a)).find((t) => t.spotlit)?.id === b.id }));
  });

  await check('hand, host, active speaker and a reaction show on the tile', async () => {
    await a.page.evaluate((id) => {
      window.parley.tiles.patch(id, { handRaised: true, host: true });
      window.parley.tiles.setSpeaker(id);
      window.parley.tiles.react(id, '+1');
    }, b.id);
    const t = await a.page.evaluate((id) => {
      const e = document.querySelector(`[data-tile="${id}"]`);
      return {
        hand: !e.querySelector('.hand').hidden && e.querySelector('.hand').getAttribute('aria-label'),
        host: e.querySelector('.host')?.textContent, speaking: e.dataset.speaking, reaction: !!e.querySelector('.reaction'),
      };
    }, b.id);
    assert(t.hand === 'Hand raised' && t.host === 'Host' && t.speaking === 'true' && t.reaction, JSON.stringify(t));
    await until('the reaction floats away and is removed', 6_000, async () => ({
      ok: !(await a.page.$(`[data-tile="${b.id}"] .reaction`)),
    }));
    await a.page.evaluate((id) => window.parley.tiles.patch(id, { handRaised: false }), b.id);
  });

  await check('a shared screen takes the spotlight (letterboxed, not mirrored) unless something is pinned', async () => {
    await a.page.click('#toggle-layout'); // to the grid
    await until('grid', 3_000, async () => ({ ok: (await a.page.$eval('.grid', (g) => g.dataset.layout)) === 'grid' }));
    const screen = `${b.id}:screen`;
    await a.page.evaluate(
      ({ id, screen }) => {
        const track = document.querySelector(`[data-tile="${id}"] video`).srcObject.getVideoTracks()[0];
        window.parley.tiles.upsert(screen, { name: 'Bob (presentation)', audioMuted: false, videoMuted: false });
        window.parley.tiles.setTracks(screen, track, null);
      },
      { id: b.id, screen },
    );
    const look = () =>
      a.page.evaluate((screen) => {
        const v = document.querySelector(`[data-tile="${screen}"] video`);
        const s = getComputedStyle(v);
        return { layout: document.querySelector('.grid').dataset.layout, spotlit: document.querySelector('.tile.spotlit')?.dataset.tile,
          fit: s.objectFit, transform: s.transform, playing: v.videoWidth > 0 };
      }, screen);
    await until('spotlight on the screen', 5_000, async () => {
      const l = await look();
      return { ok: l.layout === 'spotlight' && l.spotlit === screen && l.fit === 'contain' && l.transform === 'none' && l.playing, detail: JSON.stringify(l) };
    });
    await a.page.click('button[aria-label="Pin Ada (you)"]');
    await until('the pin wins over the screen', 3_000, async () => ({ ok: (await look()).spotlit === 'self' }));
    await a.page.click('button[aria-label="Unpin Ada (you)"]');
    await until('the screen again', 3_000, async () => ({ ok: (await look()).spotlit === screen }));
    await a.page.evaluate((screen) => window.parley.tiles.remove(screen), screen);
    await until('back to the grid when the share ends', 3_000, async () => ({
      ok: (await a.page.$eval('.grid', (g) => g.dataset.layout)) === 'grid',
    }));
    await a.page.click('#toggle-layout'); // spotlight again, for the next picture
  });

  const g = await ghosts(browser, base, ROOM, ['Cy', 'Di', 'Ed', 'Flo', 'Gus']);
  await until('Ada shows 7 tiles', 15_000, async () => {
    const n = (await tiles(a)).length;
    return { ok: n === 7, detail: `${n} tiles` };
  });
  await until('the filmstrip is in pages', 5_000, async () => ({ ok: await a.page.isVisible('#page-next') }));
  await a.page.screenshot({ path: `${out}/speaker-layout.png` });

  await check('7 tiles in a small window: pages with previous/next; off-page video detached, audio still playing', async () => {
    await a.page.evaluate(() => {
      window.views = [];
      window.parley.tiles.onViewChange((v) => window.views.push(v));
    });
    await a.page.click('#toggle-layout'); // back to the grid
    await a.page.setViewportSize({ width: 480, height: 400 });
    const first = await until('pages appear', 5_000, async () => {
      const text = await a.page.evaluate(() => {
        const p = document.querySelector('.pager');
        return p.hidden ? null : document.querySelector('#page-text').textContent;
      });
      return { ok: /^Page 1 of [2-9]$/.test(text ?? ''), detail: text, text };
    });
    await a.page.screenshot({ path: `${out}/pages.png` });
    const pages = Number(first.text.split(' of ')[1]);
    const seen = new Map();
    for (let page = 1; page <= pages; page++) {
      if (page > 1) {
        await a.page.click('#page-next');
        await until(`page ${page}`, 3_000, async () => ({ ok: (await a.page.textContent('#page-text')) === `Page ${page} of ${pages}` }));
      }
      const ts = await tiles(a);
      for (const t of ts.filter((t) => t.onPage)) seen.set(t.id, page);
      const onPage = ts.filter((t) => t.onPage).map((t) => t.id).sort().join();
      await until(`onViewChange reports page ${page}`, 3_000, async () => {
        const last = await a.page.evaluate(() => window.views.at(-1));
        const ids = (last ?? []).map((v) => v.id).sort().join();
        return { ok: ids === onPage && last.every((v) => v.width >= 159 && v.height > 0), detail: JSON.stringify(last) };
      });
      const bob = ts.find((t) => t.id === b.id);
      assert(!bob.audioPaused && bob.audioAttached, `Bob's audio plays on every page: ${JSON.stringify(bob)}`);
      const off = ts.filter((t) => !t.onPage);
      assert(off.every((t) => !t.videoAttached), `no video off the page: ${JSON.stringify(off)}`);
      assert(ts.filter((t) => t.onPage).every((t) => t.w >= 159), `tiles at least 160 px: ${JSON.stringify(ts)}`);
    }
    assert(seen.size === 7, `every tile is on some page: ${[...seen.keys()]}`);
    assert(await a.page.$eval('#page-next', (e) => e.disabled), 'next is disabled on the last page');
    await a.page.click('#page-prev');
    await until('back a page', 3_000, async () => ({ ok: (await a.page.textContent('#page-text')) === `Page ${pages - 1} of ${pages}` }));
  });

  await check('phone-sized screen: no horizontal scrolling, tiles inside the screen, panels full-screen', async () => {
    await b.page.setViewportSize({ width: 390, height: 844 });
    await until('laid out for the phone', 5_000, async () => {
      const v = await b.page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth, inner: innerWidth,
        outside: [...document.querySelectorAll('.tile:not(.off-page)')].filter((t) => t.getBoundingClientRect().right > innerWidth + 0.5).length,
        controls: document.querySelector('.controls').getBoundingClientRect().right,
      }));
      return { ok: v.scroll <= v.inner && v.outside === 0 && v.controls <= v.inner, detail: JSON.stringify(v) };
    });
    await b.page.screenshot({ path: `${out}/phone.png` });
    const panel = await b.page.evaluate(() => {
      const aside = Object.assign(document.createElement('aside'), { className: 'panel' });
      document.querySelector('.room').append(aside);
      const r = aside.getBoundingClientRect();
      aside.remove();
      return { w: r.width, h: r.height, x: r.x, y: r.y, iw: innerWidth, ih: innerHeight };
    });
    assert(panel.x === 0 && panel.y === 0 && panel.w === panel.iw && panel.h === panel.ih, `panel covers the screen: ${JSON.stringify(panel)}`);
  });

  await check('every button has an accessible name; toggles say whether they are on', async () => {
    for (const p of [a, b]) {
      const unnamed = await unnamedButtons(p);
      assert(unnamed.length === 0, `${p.name}: ${unnamed.join(' | ')}`);
    }
    const pressed = await a.page.$$eval('#toggle-layout, #prejoin-mic', (es) => es.map((e) => e.getAttribute('aria-pressed')));
    assert(pressed.every((v) => v === 'true' || v === 'false'), JSON.stringify(pressed));
    const c = await open(browser, 'Cat');
    try {
      await c.page.goto(`${base}/r/${ROOM}`);
      await c.page.waitForSelector('#join-now', { timeout: 15_000 });
      const unnamed = await unnamedButtons(c);
      assert(unnamed.length === 0, `prejoin: ${unnamed.join(' | ')}`);
      const toggles = await c.page.$$eval('.preview-controls button', (es) => es.map((e) => e.getAttribute('aria-pressed')));
      assert(toggles.length === 2 && toggles.every((v) => v === 'true'), JSON.stringify(toggles));
    } finally {
      await c.context.close();
    }
  });

  await g.context.close();
} finally {
  await browser.close();
}
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 && results.passed > 0 ? 0 : 1);
