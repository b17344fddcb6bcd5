// Browser checks of the meeting features that travel through the server, in real Chromium with the
// fake camera and mic: chat (history, unread badge, links, a script-injection attempt), raised
// hands, reactions, the server's dominant speaker, the host's mute (held at the server), screen
// share, pages of tiles whose hidden video the server stops forwarding, a full room, simulcast
// layers nobody watches that the publisher stops sending, the lobby,
// the password, the lock, removing someone, handing over the host role, reconnecting after a
// dropped connection (also one that comes while the join is still under way), and the host muting
// everyone and ending the meeting for everyone. Screenshots go to the given directory.
// Usage: node features.mjs <base-url> <screenshot-dir>   (the server allows 7 people per room)
// Prints one line per check and "N passed, N failed"; exits non-zero on any failure.

import { chromium } from 'playwright-core';
import { FLAGS, assert, check, ghosts, open, results, until } from './lib.mjs';

const base = process.argv[2];
const out = process.argv[3];
const ROOM = 'fea-test-rom';

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });

/** Joins straight into the room (no prejoin) and waits for the participant id. */
async function join(name, viewport) {
  const p = await open(browser, name, viewport);
  p.page.on('dialog', (d) => d.accept());
  await p.page.goto(`${base}/r/${ROOM}?name=${encodeURIComponent(name)}&autojoin=1`);
  return p;
}

async function joined(p) {
  await p.page.waitForFunction(() => document.body.dataset.participantId, null, { timeout: 30_000 });
  p.id = await p.page.evaluate(() => document.body.dataset.participantId);
  return p;
}

const received = (p) => p.page.evaluate(() => window.parley.received());

/** Packets of one kind that arrive at `p` over `ms`. */
async function arriving(p, kind, ms = 1200) {
  const before = (await received(p))[kind];
  await new Promise((r) => setTimeout(r, ms));
  return (await received(p))[kind] - before;
}

/** A participant's id now: a page that reconnected by itself has a new one. */
async function idOf(p) {
  p.id = await p.page.evaluate(() => document.body.dataset.participantId);
  return p.id;
}

/** How `p` shows `who` (a participant, whose current id is read, or a tile id). */
const tile = async (p, who) =>
  p.page.evaluate((id) => {
    const t = document.querySelector(`[data-tile="${id}"]`);
    if (!t) return null;
    const v = t.querySelector('video');
    return {
      hand: !t.querySelector('.hand')?.hidden, speaking: t.dataset.speaking === 'true', spotlit: t.classList.contains('spotlit'),
      onPage: !t.classList.contains('off-page'), size: `${Math.round(t.clientWidth)}x${Math.round(t.clientHeight)}`, cameraOff: t.classList.contains('camera-off'), videoWidth: v?.videoWidth ?? 0,
      reactions: [...t.querySelectorAll('.reaction')].map((r) => r.textContent),
    };
  }, typeof who === 'string' ? who : await idOf(who));

const text = (p, selector) => p.page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);

/** Waits until the server has told `p` room settings that pass `test` (the host's change took). */
async function settled(p, what, test) {
  await until(what, 10_000, async () => {
    const s = await p.page.evaluate(() => window.parley.settings());
    return { ok: s !== null && test(s), detail: JSON.stringify(s) };
  });
}

async function openPanel(p, which) {
  const pressed = await p.page.$eval(`#toggle-${which}`, (b) => b.getAttribute('aria-pressed'));
  if (pressed !== 'true') await p.page.click(`#toggle-${which}`);
  await p.page.waitForSelector(`#${which}-panel:not([hidden])`);
}

const alice = await joined(await join('Alice'));
const bob = await joined(await join('Bob'));
const everyone = [alice, bob];

try {
  await check('chat: a message reaches the other as text (no markup runs), with an unread badge and a clickable link', async () => {
    const hostile = '<img src=x onerror="window.__xss=1">hello <script>window.__xss=2</script> see https://example.org/notes.';
    await openPanel(alice, 'chat');
    await alice.page.fill('#chat-input', hostile);
    await alice.page.press('#chat-input', 'Enter');
    await until('Bob\'s unread badge', 10_000, async () => {
      const badge = await bob.page.$eval('#toggle-chat', (b) => b.getAttribute('data-badge'));
      return { ok: badge === '1', detail: `badge ${badge}` };
    });
    await openPanel(bob, 'chat');
    const shown = await bob.page.evaluate(() => {
      const li = document.querySelector('#chat-messages li');
      return {
        text: li?.querySelector('.text').textContent, imgs: document.querySelectorAll('#chat-messages img, #chat-messages script').length,
        links: [...document.querySelectorAll('#chat-messages a')].map((a) => ({ href: a.href, target: a.target, rel: a.rel })),
        xss: window.__xss ?? null, badge: document.querySelector('#toggle-chat').getAttribute('data-badge'),
      };
    });
    assert(shown.text === hostile, `text ${JSON.stringify(shown.text)}`);
    assert(shown.imgs === 0 && shown.xss === null, `markup ran: ${JSON.stringify(shown)}`);
    assert(shown.links.length === 1 && shown.links[0].href === 'https://example.org/notes' && shown.links[0].target === '_blank' && shown.links[0].rel.includes('noopener'), JSON.stringify(shown.links));
    assert(!shown.badge, `badge cleared when read: ${shown.badge}`);
    await bob.page.fill('#chat-input', 'Hi Alice, all good here');
    await bob.page.click('#chat-send');
    await until('Alice sees the reply', 10_000, async () => ({ ok: (await text(alice, '#chat-messages')).includes('all good here') }));
    await bob.page.screenshot({ path: `${out}/chat.png` });
    await alice.page.click('#toggle-chat');
    await bob.page.click('#toggle-chat');
  });

  await check('raised hands show on the tile and in the people panel in the order they went up', async () => {
    await bob.page.click('#toggle-hand');
    await until('Bob\'s hand on Alice\'s screen', 10_000, async () => ({ ok: (await tile(alice, bob))?.hand }));
    await alice.page.click('#toggle-hand');
    await openPanel(alice, 'people');
    await until('hand queue Bob, Alice', 10_000, async () => {
      const q = await alice.page.evaluate(() => [...document.querySelectorAll('#hand-queue li')].map((l) => l.textContent));
      return { ok: q.join('|') === 'Bob|Alice (you)', detail: q.join('|') };
    });
    await bob.page.click('#toggle-hand');
    await alice.page.click('#toggle-hand');
    await until('hands down', 10_000, async () => ({ ok: !(await tile(alice, bob)).hand && (await alice.page.$('#hand-queue')) === null }));
    await alice.page.click('#toggle-people');
  });

  await check('a reaction floats over the sender\'s tile on the others\' screens', async () => {
    await bob.page.click('#toggle-react');
    await bob.page.click('#reaction-picker button[data-emoji="👍"]');
    await until('the reaction on Alice\'s screen', 5_000, async () => {
      const t = await tile(alice, bob);
      return { ok: t.reactions.includes('👍'), detail: JSON.stringify(t.reactions) };
    });
  });

  await check('the server\'s dominant speaker is highlighted (Alice mutes with Ctrl+D; Bob speaks)', async () => {
    await alice.page.keyboard.press('Control+d');
    const label = await alice.page.$eval('#toggle-mic', (b) => b.textContent);
    assert(label === 'Unmute', `Ctrl+D muted the mic: the button says ${label}`);
    await until('Bob speaking on Alice\'s screen', 20_000, async () => {
      const [t, speaker] = await Promise.all([tile(alice, bob), alice.page.evaluate(() => document.body.dataset.speaker)]);
      return { ok: t.speaking && speaker === bob.id, detail: JSON.stringify({ speaker, bob: bob.id }) };
    });
    // Someone who comes in now, mic off, sees Bob marked at once: the join tells who is talking.
    const erin = await open(browser, 'Erin');
    await erin.page.goto(`${base}/r/${ROOM}?name=Erin`);
    await erin.page.click('#prejoin-mic');
    assert((await erin.page.$eval('#prejoin-mic', (b) => b.getAttribute('aria-pressed'))) === 'false', 'Erin\'s mic off');
    await erin.page.click('#join-now');
    await joined(erin);
    await until('Bob speaking on Erin\'s screen as she comes in', 5_000, async () => {
      const [t, speaker] = await Promise.all([tile(erin, bob), erin.page.evaluate(() => document.body.dataset.speaker)]);
      return { ok: t?.speaking && speaker === bob.id, detail: JSON.stringify({ speaker, tile: t }) };
    });
    await erin.context.close();
    await until('Erin gone from Alice\'s screen', 10_000, async () => ({ ok: (await tile(alice, erin.id)) === null }));
    await alice.page.keyboard.press('Control+d');
  });

  await check('the host mutes Bob: his mic is off, he is told, and the server stops forwarding it until he unmutes', async () => {
    assert((await alice.page.evaluate(() => document.body.dataset.host)) === 'true', 'Alice, first in, is host');
    assert((await bob.page.evaluate(() => document.body.dataset.host)) === 'false', 'Bob is not host');
    await until('Bob\'s audio reaching Alice', 10_000, async () => ({ ok: (await arriving(alice, 'audio', 600)) > 10 }));
    await openPanel(alice, 'people');
    await alice.page.click(`#people-list li[data-participant="${await idOf(bob)}"] button[data-action="mute"]`);
    await until('Bob told and muted', 10_000, async () => {
      const [toast, mic] = await Promise.all([text(bob, '#toasts'), bob.page.$eval('#toggle-mic', (b) => b.textContent)]);
      return { ok: toast?.includes('Alice muted you') && mic === 'Unmute', detail: JSON.stringify({ toast, mic }) };
    });
    const whileMuted = await until('Bob\'s audio stopped at the server', 10_000, async () => {
      const n = await arriving(alice, 'audio');
      return { ok: n <= 3, n, detail: `${n} audio packets in 1.2 s` };
    });
    await bob.page.keyboard.press('Control+d');
    const after = await until('Bob\'s audio flowing again', 10_000, async () => {
      const n = await arriving(alice, 'audio');
      return { ok: n > 20, n, detail: `${n} audio packets in 1.2 s` };
    });
    console.log(`     audio packets from Bob in 1.2 s: ${whileMuted.n} while muted by the host, ${after.n} after he unmuted`);
    await alice.page.click('#toggle-people');
  });

  await check('screen share: Bob presents (a canvas through the Present button\'s path), it is large for Alice, and stops', async () => {
    await bob.page.evaluate(() => {
      window.parleyDisplayMedia = async () => {
        const c = document.createElement('canvas');
        c.width = 1280;
        c.height = 720;
        const g = c.getContext('2d');
        let n = 0;
        setInterval(() => {
          n++;
          g.fillStyle = '#1e3a5f';
          g.fillRect(0, 0, c.width, c.height);
          g.fillStyle = '#fff';
          g.font = 'bold 72px sans-serif';
          g.fillText('Quarterly plan', 80, 200);
          g.font = '40px sans-serif';
          ['1. Ship the lobby', '2. Faster joins', `3. Frame ${n}`].forEach((l, i) => g.fillText(l, 100, 320 + i * 70));
        }, 100);
        return c.captureStream(10);
      };
    });
    await bob.page.click('#toggle-share');
    const screenTile = `${await idOf(bob)}:screen`;
    await until('the shared screen playing large on Alice\'s screen', 20_000, async () => {
      const t = await tile(alice, screenTile);
      return { ok: t && t.spotlit && t.videoWidth > 0, detail: JSON.stringify(t) };
    });
    await alice.page.screenshot({ path: `${out}/screen-share.png` });
    await bob.page.click('#toggle-share');
    await until('the shared screen gone', 10_000, async () => ({ ok: (await tile(alice, screenTile)) === null }));
  });

  const crowd = await ghosts(browser, base, ROOM, ['Gus', 'Hana', 'Ivo', 'Jun', 'Kai']);
  await check('pages of tiles: video of someone on another page is not forwarded by the server; back on the page it is', async () => {
    // Bob stays quiet here: a new active speaker is brought onto the first page (speaker-page.ts).
    await bob.page.keyboard.press('Control+d');
    assert((await bob.page.$eval('#toggle-mic', (b) => b.textContent)) === 'Unmute', 'Bob muted');
    await alice.page.setViewportSize({ width: 480, height: 400 });
    await until('pages', 10_000, async () => ({ ok: /of [2-9]/.test((await text(alice, '#page-text')) ?? ''), detail: await text(alice, '#page-text') }));
    const first = async () => { while (await alice.page.$eval('#page-prev', (b) => !b.disabled)) await alice.page.click('#page-prev'); };
    await first();
    if ((await tile(alice, bob)).onPage) {
      while (await alice.page.$eval('#page-next', (b) => !b.disabled)) await alice.page.click('#page-next');
    }
    assert(!(await tile(alice, bob)).onPage, 'Bob is on another page');
    const stopped = await until('Bob\'s video stopped at the server', 10_000, async () => {
      const n = await arriving(alice, 'video');
      return { ok: n <= 5, n, detail: `${n} video packets in 1.2 s` };
    });
    await first();
    while (!(await tile(alice, bob)).onPage) await alice.page.click('#page-next');
    const flowing = await until('Bob\'s video back', 15_000, async () => {
      const n = await arriving(alice, 'video');
      const t = await tile(alice, bob);
      return { ok: t.onPage && t.videoWidth > 0 && n > 20, n, detail: `${n} packets, ${JSON.stringify(t)}` };
    });
    console.log(`     video packets from Bob in 1.2 s: ${stopped.n} while off screen, ${flowing.n} on screen`);
    // A small tile gets the lowest simulcast layer (a quarter of the camera's 1280x720).
    const small = await until('the low layer for a small tile', 20_000, async () => {
      const w = await alice.page.evaluate(async () => {
        let width = 0;
        (await window.parley.subscriberStats()).forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') width = Math.max(width, s.frameWidth ?? 0);
        });
        return width;
      });
      return { ok: w > 0 && w <= 320, w, detail: `frame width ${w}` };
    });
    console.log(`     Bob's video in a ${JSON.stringify((await tile(alice, bob)).size)} tile arrives ${small.w} px wide`);
    await bob.page.keyboard.press('Control+d');
  });

  await check('a full meeting (7 here) turns the next person away with a clear message', async () => {
    const late = await join('Lou');
    await late.page.waitForSelector('#join-refused', { timeout: 30_000 });
    const h = await text(late, '#join-refused h1');
    assert(h === 'This meeting is full', h);
    await late.context.close();
  });
  await crowd.context.close();
  await alice.page.setViewportSize({ width: 1280, height: 720 });

  await check('Bob\'s browser sends only the simulcast layers someone watches: not his top one while Alice, the only one watching, shows him in a grid tile; it comes back when she spotlights him', async () => {
    const layers = async () => Object.fromEntries((await bob.page.evaluate(() => window.parley.sending())).filter((s) => s.rid).map((s) => [s.rid, s]));
    const grown = async () => {
      const a = await layers();
      await new Promise((r) => setTimeout(r, 1200));
      const b = await layers();
      const bytes = Object.fromEntries(Object.keys(b).map((rid) => [rid, b[rid].bytesSent - (a[rid]?.bytesSent ?? 0)]));
      return { now: b, bytes, detail: JSON.stringify({ bytes, active: Object.fromEntries(Object.entries(b).map(([rid, s]) => [rid, s.active])) }) };
    };
    const widthOfBob = () => alice.page.evaluate(async () => {
      let width = 0;
      (await window.parley.subscriberStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') width = Math.max(width, s.frameWidth ?? 0);
      });
      return width;
    });
    // The server waits 3 s before it asks for fewer layers.
    const without = await until('Bob stops encoding his top layer', 20_000, async () => {
      const g = await grown();
      return { ok: g.now.f?.active === false && g.bytes.f === 0 && g.bytes.q > 0 && g.bytes.h > 0, ...g };
    });
    const before = await widthOfBob();
    const gridTile = (await tile(alice, bob)).size;
    await alice.page.click('#toggle-layout');
    const back = await until('Bob sends his top layer again and Alice gets it', 20_000, async () => {
      const g = await grown();
      const w = await widthOfBob();
      return { ok: g.now.f?.active === true && g.bytes.f > 0 && w > before, w, ...g, detail: `${g.detail}, Alice gets ${w} px (was ${before})` };
    });
    console.log(`     Bob's bytes in 1.2 s per layer: ${JSON.stringify(without.bytes)} in a ${gridTile} grid tile, ${JSON.stringify(back.bytes)} spotlit (${(await tile(alice, bob)).size}); Alice gets ${before} then ${back.w} px`);
    await alice.page.click('#toggle-layout');
  });

  let carol;
  await check('lobby: with "ask to join" on, a newcomer waits; the host admits them; they get the chat history', async () => {
    await openPanel(alice, 'people');
    await alice.page.check('#setting-lobby');
    await settled(alice, 'lobby on', (s) => s.lobby);
    carol = await join('Carol');
    await carol.page.waitForSelector('#lobby-waiting', { timeout: 30_000 });
    await until('Alice asked', 10_000, async () => ({ ok: (await text(alice, '#toasts'))?.includes('Carol wants to join') }));
    await carol.page.screenshot({ path: `${out}/lobby.png` });
    await alice.page.screenshot({ path: `${out}/lobby-host.png` });
    await alice.page.click('#toasts button[aria-label="Admit Carol"]');
    await joined(carol);
    everyone.push(carol);
    await openPanel(carol, 'chat');
    const history = await text(carol, '#chat-messages');
    assert(history.includes('all good here') && history.includes('<script>'), `history: ${history}`);
    assert((await carol.page.evaluate(() => window.__xss ?? null)) === null, 'history shown as text');
    await carol.page.click('#toggle-chat');
  });

  let dave;
  await check('lobby: the host can turn someone away; they see that they were not let in', async () => {
    dave = await join('Dave');
    await dave.page.waitForSelector('#lobby-waiting', { timeout: 30_000 });
    await alice.page.click('#lobby-list button[aria-label="Admit Dave"]');
    await joined(dave);
    everyone.push(dave);
    const eve = await join('Eve');
    await eve.page.waitForSelector('#lobby-waiting', { timeout: 30_000 });
    await until('Eve in the host\'s list', 10_000, async () => ({ ok: (await alice.page.$('#lobby-list button[aria-label="Deny Eve"]')) !== null }));
    await alice.page.click('#lobby-list button[aria-label="Deny Eve"]');
    await eve.page.waitForSelector('#join-refused', { timeout: 10_000 });
    assert((await text(eve, '#join-refused h1')) === 'You were not let in', await text(eve, '#join-refused'));
    await eve.context.close();
  });

  await check('four people in the grid see each other\'s video', async () => {
    await until('four live tiles on Alice\'s screen', 30_000, async () => {
      const ts = await Promise.all([bob, carol, dave].map((p) => tile(alice, p)));
      return { ok: ts.every((t) => t && t.videoWidth > 0), detail: JSON.stringify(ts) };
    });
    await alice.page.click('#toggle-people');
    await alice.page.screenshot({ path: `${out}/four-person-grid.png` });
  });

  await check('password: typing it survives the panel re-rendering; a newcomer must give it; a wrong one is refused, the right one lets them in', async () => {
    await openPanel(alice, 'people');
    await alice.page.uncheck('#setting-lobby');
    await settled(alice, 'lobby off', (s) => !s.lobby);
    await alice.page.fill('#setting-password', 'blue-kite');
    // The panel re-renders while the host types (Bob raises his hand): what was typed stays.
    await bob.page.click('#toggle-hand');
    await until('Bob\'s hand in Alice\'s list', 10_000, async () => ({ ok: (await text(alice, '#hand-queue'))?.includes('Bob') }));
    assert((await alice.page.$eval('#setting-password', (i) => i.value)) === 'blue-kite', 'the typed password survived a re-render');
    await bob.page.click('#toggle-hand');
    await alice.page.click('button[data-action="set-password"]');
    await settled(alice, 'password set', (s) => s.passwordSet);
    assert(await alice.page.$eval('#setting-password', (i) => i.placeholder === 'Password is set'), 'the host sees that a password is set');
    const erin = await join('Erin');
    await erin.page.waitForSelector('#password-needed', { timeout: 30_000 });
    await erin.page.fill('#room-password', 'red-kite');
    await erin.page.click('#password-join');
    await erin.page.waitForSelector('#password-error:not([hidden])', { timeout: 10_000 });
    assert((await text(erin, '#password-error')).includes('not right'), await text(erin, '#password-error'));
    await erin.page.fill('#room-password', 'blue-kite');
    await erin.page.click('#password-join');
    await joined(erin);
    await erin.context.close();
    await alice.page.click('button[data-action="clear-password"]');
    await settled(alice, 'password removed', (s) => !s.passwordSet);
  });

  await check('the host removes Dave: he is told and does not come back by himself', async () => {
    await alice.page.click(`#people-list li[data-participant="${await idOf(dave)}"] button[data-action="remove"]`);
    await dave.page.waitForSelector('#left', { timeout: 10_000 });
    assert((await text(dave, '#left h1')) === 'You were removed from the meeting', await text(dave, '#left'));
    await until('Dave gone from Alice\'s screen', 10_000, async () => ({ ok: (await tile(alice, dave.id)) === null }));
    everyone.splice(everyone.indexOf(dave), 1);
    await dave.context.close();
  });

  await check('a locked meeting turns newcomers away; Bob, dropped, reconnects by himself past the lock with camera state kept', async () => {
    await alice.page.check('#setting-lock');
    await settled(alice, 'locked', (s) => s.locked);
    const frank = await join('Frank');
    await frank.page.waitForSelector('#join-refused', { timeout: 30_000 });
    assert((await text(frank, '#join-refused h1')) === 'This meeting is locked', await text(frank, '#join-refused'));
    await frank.context.close();

    await bob.page.click('#toggle-camera');
    const oldId = await idOf(bob);
    await bob.page.evaluate(() => window.parley.simulateDrop());
    await until('Bob sees "Reconnecting…"', 5_000, async () => ({ ok: (await text(bob, '#banner'))?.startsWith('Reconnecting') }));
    await until('Bob back in with a new session', 20_000, async () => {
      const id = await bob.page.evaluate(() => document.body.dataset.participantId);
      const banner = await bob.page.$eval('#banner', (b) => b.hidden);
      return { ok: id !== oldId && banner, detail: JSON.stringify({ id, banner }) };
    });
    bob.id = await bob.page.evaluate(() => document.body.dataset.participantId);
    await until('Alice sees the returning Bob with his camera off', 20_000, async () => {
      const [gone, t] = await Promise.all([tile(alice, oldId), tile(alice, bob.id)]);
      return { ok: gone === null && t?.cameraOff, detail: JSON.stringify({ gone, t }) };
    });
    assert((await bob.page.$eval('#toggle-camera', (b) => b.textContent)) === 'Camera on', 'Bob\'s camera is still off after reconnecting');
    await bob.page.click('#toggle-camera');
    await until('Bob\'s video again', 20_000, async () => ({ ok: (await tile(alice, bob))?.videoWidth > 0 }));
    await alice.page.uncheck('#setting-lock');
    await settled(alice, 'unlocked', (s) => !s.locked);
  });

  await check('the host\'s media connection fails: her page rejoins by itself and she is still the host', async () => {
    const oldId = await idOf(alice);
    await alice.page.evaluate(() => window.parley.simulateMediaFailure());
    await until('Alice back in with a new session, and host', 20_000, async () => {
      const [id, host] = await alice.page.evaluate(() => [document.body.dataset.participantId, document.body.dataset.host]);
      return { ok: id !== oldId && host === 'true', detail: JSON.stringify({ id, host }) };
    });
    alice.id = await idOf(alice);
    await until('Bob sees Alice as the host', 10_000, async () => {
      const s = await bob.page.evaluate(() => window.parley.settings());
      return { ok: s?.hostId === alice.id, detail: JSON.stringify(s) };
    });
    await until('Alice\'s video reaches Bob again', 20_000, async () => ({ ok: (await tile(bob, alice))?.videoWidth > 0 }));
    await openPanel(alice, 'people');
    assert((await alice.page.$('#setting-lock')) !== null, 'Alice has the host controls');
  });

  await check('the host hands the role to Bob; when Bob leaves, it passes on to the next in line', async () => {
    await alice.page.click(`#people-list li[data-participant="${await idOf(bob)}"] button[data-action="make-host"]`);
    await until('Bob is host', 10_000, async () => ({ ok: (await bob.page.evaluate(() => document.body.dataset.host)) === 'true' }));
    assert((await text(bob, '#toasts')).includes('You are now the host'), 'Bob is told');
    await openPanel(bob, 'people');
    assert((await bob.page.$('#setting-lock')) !== null, 'Bob has the host controls');
    assert((await alice.page.$('#setting-lock')) === null, 'Alice no longer has them');
    await bob.page.click('#leave');
    everyone.splice(everyone.indexOf(bob), 1);
    await until('the role passes to Alice, first in line', 10_000, async () => ({ ok: (await alice.page.evaluate(() => document.body.dataset.host)) === 'true' }));
    await bob.context.close();
  });

  await check('a server that cannot be reached: the page says so, keeps retrying, and rejoins once it can', async () => {
    const before = await idOf(carol);
    // The network goes away (the browser is offline), and with it the connection to the server.
    await carol.context.setOffline(true);
    await carol.page.evaluate(() => window.parley.simulateDrop());
    await until('the unreachable banner', 15_000, async () => {
      const b = await text(carol, '#banner');
      return { ok: b?.includes('cannot be reached') && !(await carol.page.$eval('#banner', (e) => e.hidden)), detail: b };
    });
    await carol.context.setOffline(false);
    await until('Carol back in, the banner gone', 20_000, async () => {
      const [id, hidden] = await Promise.all([carol.page.evaluate(() => document.body.dataset.participantId), carol.page.$eval('#banner', (e) => e.hidden)]);
      return { ok: id !== before && hidden, detail: JSON.stringify({ id, hidden }) };
    });
    await until('Alice sees Carol again', 20_000, async () => ({ ok: (await tile(alice, carol)) !== null }));
  });

  await check('switching the camera during the meeting (settings) keeps the video going for the others', async () => {
    await openPanel(carol, 'settings');
    await carol.page.waitForSelector('#camera-select option', { state: 'attached', timeout: 10_000 });
    const before = await carol.page.evaluate(() => window.parley.tiles && document.querySelector('[data-tile="self"] video').srcObject?.getVideoTracks()[0]?.id);
    const options = await carol.page.$$eval('#camera-select option', (os) => os.map((o) => o.value));
    const current = await carol.page.$eval('#camera-select', (s) => s.value);
    await carol.page.selectOption('#camera-select', options.find((v) => v !== current) ?? current);
    await until('a new camera track on Carol\'s own tile', 10_000, async () => {
      const id = await carol.page.evaluate(() => document.querySelector('[data-tile="self"] video').srcObject?.getVideoTracks()[0]?.id);
      return { ok: id && id !== before, detail: id };
    });
    await until('Alice still receives Carol\'s video', 15_000, async () => {
      const t = await tile(alice, carol);
      return { ok: t?.videoWidth > 0 && (await arriving(alice, 'video', 800)) > 10, detail: JSON.stringify(t) };
    });
    assert((await carol.page.$eval('#settings-error', (e) => e.hidden)), await text(carol, '#settings-error'));
    await carol.page.click('#toggle-settings');
  });

  await check('camera and mic denied: the prejoin page says how to allow them, Retry works once allowed, and one can still join', async () => {
    const gus = await open(browser, 'Gus');
    // The browser refuses the camera and mic, as when the person clicks "Block".
    await gus.page.addInitScript(() => {
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      window.allowMedia = false;
      navigator.mediaDevices.getUserMedia = (c) =>
        window.allowMedia ? real(c) : Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await gus.page.goto(`${base}/r/${ROOM}`);
    await gus.page.waitForSelector('#media-problem', { timeout: 30_000 });
    const message = await text(gus, '#media-problem');
    assert(message.includes('denied') && message.includes('Allow'), message);
    await gus.page.evaluate(() => { window.allowMedia = true; });
    await gus.page.click('#retry-media');
    await until('the camera preview after Retry', 15_000, async () => ({
      ok: await gus.page.evaluate(() => (document.querySelector('#preview')?.videoWidth ?? 0) > 0 && !document.querySelector('#media-problem')),
    }));
    await gus.page.fill('#name', 'Gus');
    await gus.page.click('#join-now');
    await joined(gus);
    // Ctrl+E turns the camera off, and the others see it.
    await gus.page.keyboard.press('Control+e');
    await until('Alice sees Gus with his camera off', 15_000, async () => ({ ok: (await tile(alice, gus))?.cameraOff }));
    await gus.context.close();
  });

  await check('media that fails while the join is still under way: the page comes back in once that join is done', async () => {
    const ivy = await open(browser, 'Ivy');
    await ivy.page.addInitScript(() => {
      // Holds the answer to Ivy's publish until the test lets it through: her join stays under way.
      const real = RTCPeerConnection.prototype.setRemoteDescription;
      window.joinHeld = new Promise((r) => { window.releaseJoin = r; });
      RTCPeerConnection.prototype.setRemoteDescription = async function (d) {
        if (d?.type === 'answer') {
          window.holding = true;
          await window.joinHeld;
        }
        return real.call(this, d);
      };
    });
    await ivy.page.goto(`${base}/r/${ROOM}?name=Ivy&autojoin=1`);
    await ivy.page.waitForFunction(() => window.holding, null, { timeout: 30_000 });
    const first = await ivy.page.evaluate(() => document.body.dataset.participantId);
    await ivy.page.evaluate(() => window.parley.simulateMediaFailure());
    await ivy.page.evaluate(() => window.releaseJoin());
    await until('Ivy back in under a new id, her video on Alice\'s screen', 20_000, async () => {
      const id = await ivy.page.evaluate(() => document.body.dataset.participantId);
      return { ok: id !== first && (await tile(alice, id))?.videoWidth > 0, detail: JSON.stringify({ first, id }) };
    });
    await ivy.context.close();
  });

  await check('the host mutes everyone at once, then ends the meeting for everyone: each is told (the lobby too), and nobody rejoins', async () => {
    if ((await carol.page.$eval('#toggle-mic', (b) => b.textContent)) !== 'Mute') await carol.page.keyboard.press('Control+d');
    await until('Carol\'s mic on', 5_000, async () => ({ ok: (await carol.page.$eval('#toggle-mic', (b) => b.textContent)) === 'Mute' }));
    const aliceMic = await alice.page.$eval('#toggle-mic', (b) => b.textContent);
    await openPanel(alice, 'people');
    await alice.page.click('button[data-action="mute-all"]');
    await until('Carol told and muted', 10_000, async () => {
      const [toast, mic] = await Promise.all([text(carol, '#toasts'), carol.page.$eval('#toggle-mic', (b) => b.textContent)]);
      return { ok: toast?.includes('Alice muted you') && mic === 'Unmute', detail: JSON.stringify({ toast, mic }) };
    });
    assert((await alice.page.$eval('#toggle-mic', (b) => b.textContent)) === aliceMic, 'the host\'s own mic is as it was');
    // Hal knocks while the meeting ends: he is told it ended rather than left waiting.
    await alice.page.check('#setting-lobby');
    await settled(alice, 'lobby on', (s) => s.lobby);
    const hal = await join('Hal');
    await hal.page.waitForSelector('#lobby-waiting', { timeout: 30_000 });
    const carolId = await idOf(carol);
    await alice.page.click('button[data-action="end-meeting"]');
    await hal.page.waitForSelector('#join-refused', { timeout: 10_000 });
    assert((await text(hal, '#join-refused h1')) === 'The meeting has ended', await text(hal, '#join-refused'));
    await hal.context.close();
    await carol.page.waitForSelector('#left', { timeout: 10_000 });
    const ended = await text(carol, '#left');
    assert((await text(carol, '#left h1')) === 'The meeting has ended' && ended.includes('Alice ended the meeting for everyone'), ended);
    await alice.page.waitForSelector('#left', { timeout: 10_000 });
    assert((await text(alice, '#left h1')) === 'You ended the meeting', await text(alice, '#left'));
    await carol.page.screenshot({ path: `${out}/meeting-ended.png` });
    // Ended means ended: Carol's page stays on that screen and does not come back in under a new id.
    assert((await carol.page.evaluate(() => document.body.dataset.participantId)) === carolId, 'no rejoin');
    assert((await carol.page.$('#room')) === null, 'the meeting view is gone');
    assert((await carol.page.$('#left button')) === null && (await carol.page.$('#left a[href="/"]')) !== null, 'Home, and no Rejoin into an ended meeting');
  });
} finally {
  await browser.close();
}

console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
