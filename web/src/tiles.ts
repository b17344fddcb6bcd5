// The participant tiles and their layout: a grid, or a spotlight (one large tile and a filmstrip),
// in pages when there are more tiles than fit. A tile shows a video (or an initial when the camera
// is off), a name, a muted-mic badge, and what the meeting tells it: raised hand, host, connection
// quality, active speaker, reactions. Remote camera videos carry data-participant for automation.

import { promoteSpeaker } from './speaker-page';
import { bars, icon } from './icons';
import type { Quality } from './quality';

export interface TileState {
  name: string;
  audioMuted: boolean;
  videoMuted: boolean;
  handRaised?: boolean;
  host?: boolean;
  quality?: Quality;
}

export type TileKind = 'camera' | 'screen';
export type Layout = 'grid' | 'spotlight';

/** A tile on screen and its size in CSS pixels (multiply by devicePixelRatio for device pixels). */
export interface VisibleTile { id: string; width: number; height: number }

const QUALITY_LABEL: Record<Quality, string> = { good: 'good', fair: 'fair', poor: 'poor', unknown: 'unknown' };

class Tile {
  readonly root = document.createElement('div');
  readonly video = document.createElement('video');
  private readonly audio = document.createElement('audio');
  private readonly avatar = document.createElement('div');
  private readonly label = document.createElement('div');
  private readonly nameText = document.createElement('span');
  private readonly hand = document.createElement('div');
  private readonly quality = document.createElement('span');
  private readonly pausedNote = document.createElement('div');
  readonly pinButton = document.createElement('button');
  private videoTrack: MediaStreamTrack | null = null;
  private audioTrack: MediaStreamTrack | null = null;
  private onPage = true;

  constructor(
    readonly id: string,
    readonly local: boolean,
    readonly kind: TileKind,
    onPin: () => void,
  ) {
    this.root.className = `tile ${kind}`;
    this.root.dataset.tile = id;
    this.root.setAttribute('role', 'listitem');
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = true;
    if (local && kind === 'camera') this.video.classList.add('mirror');
    // Automation finds remote cameras by data-participant; a shared screen is data-screen.
    if (kind === 'screen') this.video.dataset.screen = id;
    else if (!local) this.video.dataset.participant = id;
    this.audio.autoplay = true;
    this.avatar.className = 'avatar';
    this.avatar.setAttribute('aria-hidden', 'true');
    this.label.className = 'label';
    this.nameText.className = 'name';
    this.hand.className = 'hand';
    this.hand.setAttribute('role', 'img');
    this.hand.setAttribute('aria-label', 'Hand raised');
    this.hand.append(icon('hand'));
    this.hand.hidden = true;
    this.quality.className = 'quality';
    this.quality.setAttribute('role', 'img');
    this.quality.append(bars());
    this.quality.hidden = true;
    this.pausedNote.className = 'paused-note';
    this.pausedNote.setAttribute('role', 'status');
    this.pausedNote.textContent = 'Video paused: your connection is slow';
    this.pausedNote.hidden = true;
    this.pinButton.className = 'pin round';
    this.pinButton.append(icon('pin'));
    this.pinButton.onclick = onPin;
    this.root.append(this.video, this.avatar, this.pausedNote, this.hand, this.label, this.pinButton, this.audio);
    this.video.addEventListener('loadeddata', () => this.root.classList.remove('no-frame'));
  }

  update(s: TileState, pinned: boolean): void {
    this.avatar.textContent = (s.name.trim()[0] ?? '?').toUpperCase();
    this.root.setAttribute('aria-label', s.name);
    this.nameText.textContent = s.name;
    this.label.replaceChildren(this.nameText);
    if (s.host) this.label.append(Object.assign(document.createElement('span'), { className: 'host', textContent: 'Host' }));
    if (s.audioMuted && this.kind === 'camera') this.label.append(mutedBadge());
    const q = s.quality ?? 'unknown';
    this.quality.hidden = q === 'unknown';
    this.quality.dataset.quality = q;
    this.quality.setAttribute('aria-label', `Connection: ${QUALITY_LABEL[q]}`);
    this.quality.title = `Connection: ${QUALITY_LABEL[q]}`;
    this.label.append(this.quality);
    this.label.title = s.audioMuted ? `${s.name} (muted)` : s.name;
    this.hand.hidden = !s.handRaised;
    this.root.classList.toggle('hand-raised', !!s.handRaised);
    this.root.classList.toggle('camera-off', (s.videoMuted && this.kind === 'camera') || !this.videoTrack);
    this.pinButton.setAttribute('aria-label', pinned ? `Unpin ${s.name}` : `Pin ${s.name}`);
    this.pinButton.title = pinned ? 'Unpin' : 'Pin';
    this.root.classList.toggle('pinned', pinned);
  }

  setVideo(track: MediaStreamTrack | null): void {
    if (track === this.videoTrack) return;
    this.videoTrack = track;
    // Until its first frame is decoded, a video shows the initial rather than an empty box.
    this.root.classList.toggle('no-frame', !!track);
    this.attachVideo();
  }

  /** The server holds this video back: this browser's connection has no room for it just now. */
  setBandwidthPaused(paused: boolean): void {
    this.root.classList.toggle('bandwidth-paused', paused);
    this.pausedNote.hidden = !paused;
  }

  setAudio(track: MediaStreamTrack | null): void {
    if (track === this.audioTrack) return;
    this.audioTrack = track;
    this.audio.srcObject = track ? new MediaStream([track]) : null;
  }

  setAudioOutput(deviceId: string): void {
    const sink = this.audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
    sink.setSinkId?.(deviceId).catch(() => undefined);
  }

  /** Off the current page the video is detached (no decoding to the screen); the audio plays on. */
  setOnPage(on: boolean): void {
    if (on === this.onPage) return;
    this.onPage = on;
    this.root.classList.toggle('off-page', !on);
    this.attachVideo();
  }

  private attachVideo(): void {
    const want = this.onPage && this.videoTrack ? this.videoTrack : null;
    const has = (this.video.srcObject as MediaStream | null)?.getVideoTracks()[0] ?? null;
    if (want === has) return;
    this.video.srcObject = want ? new MediaStream([want]) : null;
  }

  /** Where the tile is, or null while it is off the page. */
  rect: Rect | null = null;

  place(r: Rect | null): void {
    this.rect = r;
    if (!r) return;
    const s = this.root.style;
    s.left = `${r.x}px`;
    s.top = `${r.y}px`;
    s.width = `${r.w}px`;
    s.height = `${r.h}px`;
  }

  react(symbol: string): void {
    const r = document.createElement('span');
    r.className = 'reaction';
    r.textContent = symbol;
    r.setAttribute('role', 'img');
    r.setAttribute('aria-label', symbol);
    r.style.left = `${20 + Math.random() * 60}%`;
    const done = () => r.remove();
    r.addEventListener('animationend', done, { once: true });
    setTimeout(done, 4000); // in case animations are off
    this.root.append(r);
  }
}

/** A crossed-out microphone (drawn, so it needs no emoji font). */
function mutedBadge(): Element {
  const svg = icon('mic', true, 'muted');
  svg.removeAttribute('aria-hidden');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'muted');
  return svg;
}

interface Rect { x: number; y: number; w: number; h: number }

const GAP = 8;
const ASPECT = 16 / 9;
/** Narrowest tile before the grid or filmstrip goes to pages. */
const MIN_TILE_WIDTH = 160;
const PAGER_HEIGHT = 48;
const VIEW_DEBOUNCE_MS = 150;

/** The largest 16:9 tiles for `n` tiles in a w×h box: columns, rows and tile size. */
function fit(n: number, width: number, height: number): { columns: number; rows: number; w: number; h: number } {
  let best = { columns: 1, rows: n, w: 0, h: 0 };
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    const w = Math.min((width - (columns - 1) * GAP) / columns, ((height - (rows - 1) * GAP) / rows) * ASPECT);
    if (w > best.w) best = { columns, rows, w, h: w / ASPECT };
  }
  return { ...best, w: Math.floor(best.w), h: Math.floor(best.h) };
}

/** How many tiles fit in a w×h box at no less than MIN_TILE_WIDTH (at least one). */
function capacity(width: number, height: number, upTo: number): number {
  let n = 1;
  while (n < upTo && fit(n + 1, width, height).w >= MIN_TILE_WIDTH) n++;
  return n;
}

/** Rectangles for `n` tiles in the box at (x, y), rows centred, the last row centred too. */
function gridRects(n: number, x: number, y: number, width: number, height: number): Rect[] {
  if (n === 0) return [];
  const f = fit(n, width, height);
  const rects: Rect[] = [];
  const top = y + (height - (f.rows * f.h + (f.rows - 1) * GAP)) / 2;
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / f.columns);
    const inRow = Math.min(f.columns, n - row * f.columns);
    const left = x + (width - (inRow * f.w + (inRow - 1) * GAP)) / 2;
    rects.push({ x: Math.round(left + (i % f.columns) * (f.w + GAP)), y: Math.round(top + row * (f.h + GAP)), w: f.w, h: f.h });
  }
  return rects;
}

export class TileGrid {
  readonly root = document.createElement('div');
  private readonly stage = document.createElement('div');
  private readonly pager = document.createElement('nav');
  private readonly prev = document.createElement('button');
  private readonly next = document.createElement('button');
  private readonly pageText = document.createElement('span');
  private readonly tiles = new Map<string, Tile>();
  private readonly states = new Map<string, TileState>();
  private layoutMode: Layout = 'grid';
  /** The person chose the grid while a screen was shared: do not switch back to spotlight. */
  private gridOverScreen = false;
  private pinned: string | null = null;
  private speaker: string | null = null;
  private page = 0;
  /** Display order of the tiles (join order, changed only to bring a new speaker onto page 1). */
  private order: string[] = [];
  /** When each tile was last the active speaker (performance.now()). */
  private readonly lastSpoke = new Map<string, number>();
  /** Tiles per page in the last grid layout. */
  private perPage = Infinity;
  private viewListeners: ((visible: VisibleTile[]) => void)[] = [];
  private lastView = '';
  private viewTimer: ReturnType<typeof setTimeout> | null = null;
  private layoutListeners: ((layout: Layout) => void)[] = [];

  constructor() {
    this.root.className = 'grid';
    this.stage.className = 'stage';
    this.stage.setAttribute('role', 'list');
    this.stage.setAttribute('aria-label', 'Participants');
    this.pager.className = 'pager';
    this.pager.setAttribute('aria-label', 'Pages of participants');
    this.prev.className = 'round';
    this.prev.id = 'page-prev';
    this.prev.setAttribute('aria-label', 'Previous page');
    this.prev.append(icon('chevronLeft'));
    this.prev.onclick = () => this.goTo(this.page - 1);
    this.next.className = 'round';
    this.next.id = 'page-next';
    this.next.setAttribute('aria-label', 'Next page');
    this.next.append(icon('chevronRight'));
    this.next.onclick = () => this.goTo(this.page + 1);
    this.pageText.className = 'page-text';
    this.pageText.id = 'page-text';
    this.pageText.setAttribute('aria-live', 'polite');
    this.pager.append(this.prev, this.pageText, this.next);
    this.pager.hidden = true;
    this.root.append(this.stage, this.pager);
    new ResizeObserver(() => this.layout()).observe(this.root);
  }

  /** Adds or updates a tile. Fields left out of `state` (hand, host, quality) keep their values. */
  upsert(id: string, state: TileState, local = false, kind: TileKind = id.endsWith(':screen') ? 'screen' : 'camera'): void {
    let tile = this.tiles.get(id);
    if (!tile) {
      tile = new Tile(id, local, kind, () => this.pin(this.pinned === id ? null : id));
      this.tiles.set(id, tile);
      this.order.push(id);
      this.stage.append(tile.root);
      if (this.audioOutput) tile.setAudioOutput(this.audioOutput);
      if (kind === 'screen' && !this.pinned) {
        this.gridOverScreen = false;
        this.page = 0;
      }
    }
    const merged = { ...this.states.get(id), ...state };
    this.states.set(id, merged);
    tile.update(merged, this.pinned === id);
    this.layout();
  }

  patch(id: string, change: Partial<TileState>): void {
    const s = this.states.get(id);
    if (s) this.upsert(id, { ...s, ...change });
  }

  remove(id: string): void {
    this.tiles.get(id)?.root.remove();
    this.tiles.delete(id);
    this.order = this.order.filter((o) => o !== id);
    this.lastSpoke.delete(id);
    this.states.delete(id);
    if (this.pinned === id) this.pinned = null;
    if (this.speaker === id) this.speaker = null;
    this.layout();
  }

  setTracks(id: string, video: MediaStreamTrack | null, audio: MediaStreamTrack | null): void {
    const tile = this.tiles.get(id);
    if (!tile) return;
    tile.setVideo(video);
    tile.setAudio(audio);
    tile.update(this.states.get(id)!, this.pinned === id);
  }

  setBandwidthPaused(id: string, paused: boolean): void {
    this.tiles.get(id)?.setBandwidthPaused(paused);
  }

  ids(): string[] {
    return [...this.tiles.keys()];
  }

  /** 'grid' shows everyone alike; 'spotlight' one large tile and a filmstrip of the others. */
  setLayout(layout: Layout): void {
    this.layoutMode = layout;
    if (layout === 'grid') {
      this.gridOverScreen = this.hasScreen();
      this.pinTo(null);
    }
    this.page = 0;
    this.layout();
  }

  /** The layout in effect: spotlight while something is pinned or shared (unless grid was chosen). */
  layoutInEffect(): Layout {
    if (this.pinned || (this.hasScreen() && !this.gridOverScreen)) return 'spotlight';
    return this.layoutMode;
  }

  onLayoutChange(cb: (layout: Layout) => void): void {
    this.layoutListeners.push(cb);
  }

  /** Pins a tile as the spotlight (null unpins). */
  pin(id: string | null): void {
    this.pinTo(id && this.tiles.has(id) ? id : null);
    this.page = 0;
    this.layout();
  }

  pinnedId(): string | null {
    return this.pinned;
  }

  private pinTo(id: string | null): void {
    const before = this.pinned;
    this.pinned = id;
    for (const changed of [before, id]) {
      const tile = changed ? this.tiles.get(changed) : undefined;
      if (tile) tile.update(this.states.get(tile.id)!, this.pinned === tile.id);
    }
  }

  /** Marks the active speaker (a ring, data-speaking="true"); in spotlight they take the stage. */
  setSpeaker(id: string | null): void {
    if (id === this.speaker) return;
    if (this.speaker) this.tiles.get(this.speaker)?.root.removeAttribute('data-speaking');
    this.speaker = id && this.tiles.has(id) ? id : null;
    if (this.speaker) {
      this.tiles.get(this.speaker)!.root.dataset.speaking = 'true';
      this.lastSpoke.set(this.speaker, performance.now());
      // In a paged grid the new speaker comes onto the first page (see speaker-page.ts).
      if (this.layoutInEffect() === 'grid') {
        this.order = promoteSpeaker(this.order, this.speaker, this.perPage, this.lastSpoke, (t) => {
          const tile = this.tiles.get(t)!;
          return tile.local || tile.kind === 'screen' || t === this.pinned;
        });
      }
    }
    this.layout();
  }

  /** Sends every tile's audio to this speaker ('' = the default), where the browser can. */
  setAudioOutput(deviceId: string): void {
    this.audioOutput = deviceId;
    this.tiles.forEach((t) => t.setAudioOutput(deviceId));
  }
  private audioOutput = '';

  /** An emoji (or any short text) that floats up over the tile and fades. */
  react(id: string, symbol: string): void {
    this.tiles.get(id)?.react(symbol);
  }

  /**
   * Called (debounced) with the tiles on screen and their sizes whenever that changes, so the
   * server can stop forwarding video nobody here sees.
   */
  onViewChange(cb: (visible: VisibleTile[]) => void): void {
    this.viewListeners.push(cb);
    this.lastView = '';
    this.scheduleView();
  }

  /** The tiles on screen now, with their sizes in CSS pixels. */
  visible(): VisibleTile[] {
    const out: VisibleTile[] = [];
    this.tiles.forEach((t, id) => {
      if (t.rect) out.push({ id, width: t.rect.w, height: t.rect.h });
    });
    return out;
  }

  /** A button that switches between grid and spotlight, for the control bar. */
  layoutButton(): HTMLButtonElement {
    const b = document.createElement('button');
    b.className = 'toggle';
    b.id = 'toggle-layout';
    b.setAttribute('aria-label', 'Spotlight layout');
    b.title = 'Spotlight layout';
    const sync = (l: Layout) => {
      b.setAttribute('aria-pressed', String(l === 'spotlight'));
      b.replaceChildren(icon(l === 'spotlight' ? 'spotlight' : 'grid'));
    };
    b.onclick = () => this.setLayout(this.layoutInEffect() === 'spotlight' ? 'grid' : 'spotlight');
    this.onLayoutChange(sync);
    sync(this.layoutInEffect());
    return b;
  }

  private hasScreen(): boolean {
    for (const t of this.tiles.values()) if (t.kind === 'screen') return true;
    return false;
  }

  /** The tile on the stage in spotlight: pinned, else a shared screen, else the speaker, else a remote. */
  private spotlightId(): string | null {
    if (this.pinned && this.tiles.has(this.pinned)) return this.pinned;
    const all = [...this.tiles.values()];
    const screen = all.filter((t) => t.kind === 'screen').pop();
    if (screen) return screen.id;
    if (this.speaker && !this.tiles.get(this.speaker)?.local) return this.speaker;
    return (all.find((t) => !t.local) ?? all[0])?.id ?? null;
  }

  private goTo(page: number): void {
    this.page = page;
    this.layout();
  }

  /** Places every tile; nothing scrolls: what does not fit goes to another page. */
  private layout(): void {
    const width = this.root.clientWidth - 2 * GAP;
    const fullHeight = this.root.clientHeight - 2 * GAP;
    if (width <= 0 || fullHeight <= 0) return;
    const layout = this.layoutInEffect();
    this.root.dataset.layout = layout;
    const all = this.order.map((id) => this.tiles.get(id)!);
    const placed = new Map<Tile, Rect>();
    let pages = 1;
    let mainId: string | null = null;

    if (layout === 'grid') {
      let height = fullHeight;
      let perPage = capacity(width, height, all.length);
      if (perPage < all.length) {
        height -= PAGER_HEIGHT;
        perPage = capacity(width, height, all.length);
      }
      pages = Math.max(1, Math.ceil(all.length / perPage));
      this.perPage = perPage;
      this.page = Math.min(Math.max(0, this.page), pages - 1);
      const shown = all.slice(this.page * perPage, (this.page + 1) * perPage);
      gridRects(shown.length, GAP, GAP, width, height).forEach((r, i) => placed.set(shown[i], r));
    } else {
      mainId = this.spotlightId();
      const main = mainId ? this.tiles.get(mainId)! : null;
      const strip = all.filter((t) => t !== main);
      const landscape = width >= fullHeight;
      let stripBox: Rect;
      let mainBox: Rect;
      let perPage: number;
      const boxes = (height: number) => {
        if (strip.length === 0) return { main: { x: GAP, y: GAP, w: width, h: height }, strip: { x: 0, y: 0, w: 0, h: 0 }, perPage: 1 };
        if (landscape) {
          const w = Math.max(MIN_TILE_WIDTH, Math.min(260, Math.floor(width * 0.2)));
          const per = Math.max(1, Math.floor((height + GAP) / (w / ASPECT + GAP)));
          return { main: { x: GAP, y: GAP, w: width - w - GAP, h: height }, strip: { x: GAP + width - w, y: GAP, w, h: height }, perPage: per };
        }
        const h = Math.floor(MIN_TILE_WIDTH / ASPECT);
        const per = Math.max(1, Math.floor((width + GAP) / (MIN_TILE_WIDTH + GAP)));
        return { main: { x: GAP, y: GAP, w: width, h: height - h - GAP }, strip: { x: GAP, y: GAP + height - h, w: width, h }, perPage: per };
      };
      let b = boxes(fullHeight);
      if (b.perPage < strip.length) b = boxes(fullHeight - PAGER_HEIGHT);
      ({ main: mainBox, strip: stripBox, perPage } = b);
      pages = Math.max(1, Math.ceil(strip.length / perPage));
      this.page = Math.min(Math.max(0, this.page), pages - 1);
      if (main) {
        // A shared screen fills its box (letterboxed inside); a camera keeps 16:9.
        placed.set(main, main.kind === 'screen' ? mainBox : gridRects(1, mainBox.x, mainBox.y, mainBox.w, mainBox.h)[0]);
      }
      const shown = strip.slice(this.page * perPage, (this.page + 1) * perPage);
      if (landscape) {
        const w = stripBox.w;
        const h = Math.floor(w / ASPECT);
        const top = stripBox.y + (stripBox.h - (shown.length * h + (shown.length - 1) * GAP)) / 2;
        shown.forEach((t, i) => placed.set(t, { x: stripBox.x, y: Math.round(top + i * (h + GAP)), w, h }));
      } else {
        const w = MIN_TILE_WIDTH;
        const left = stripBox.x + (stripBox.w - (shown.length * w + (shown.length - 1) * GAP)) / 2;
        shown.forEach((t, i) => placed.set(t, { x: Math.round(left + i * (w + GAP)), y: stripBox.y, w, h: stripBox.h }));
      }
    }

    for (const t of all) {
      const r = placed.get(t) ?? null;
      t.setOnPage(r !== null);
      t.place(r);
      t.root.classList.toggle('spotlit', t.id === mainId);
    }
    this.pager.hidden = pages <= 1;
    this.pageText.textContent = `Page ${this.page + 1} of ${pages}`;
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= pages - 1;
    this.layoutListeners.forEach((cb) => cb(layout));
    this.scheduleView();
  }

  private scheduleView(): void {
    if (this.viewListeners.length === 0 || this.viewTimer) return;
    this.viewTimer = setTimeout(() => {
      this.viewTimer = null;
      const view = this.visible();
      const key = JSON.stringify(view);
      if (key === this.lastView) return;
      this.lastView = key;
      this.viewListeners.forEach((cb) => cb(view));
    }, VIEW_DEBOUNCE_MS);
  }
}
