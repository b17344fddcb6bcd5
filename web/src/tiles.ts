// The grid of participant tiles: a video (or an initial when the camera is off), a name and a
// muted-mic badge. Remote videos carry data-participant for automation.

export interface TileState { name: string; audioMuted: boolean; videoMuted: boolean }

class Tile {
  readonly root = document.createElement('div');
  readonly video = document.createElement('video');
  private readonly audio = document.createElement('audio');
  private readonly avatar = document.createElement('div');
  private readonly label = document.createElement('div');
  private videoTrack: MediaStreamTrack | null = null;
  private audioTrack: MediaStreamTrack | null = null;

  constructor(id: string, local: boolean) {
    this.root.className = 'tile';
    this.root.dataset.tile = id;
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = true;
    if (local) this.video.classList.add('mirror');
    else this.video.dataset.participant = id;
    this.audio.autoplay = true;
    this.avatar.className = 'avatar';
    this.label.className = 'label';
    this.root.append(this.video, this.avatar, this.label, this.audio);
  }

  update(s: TileState): void {
    this.avatar.textContent = (s.name.trim()[0] ?? '?').toUpperCase();
    this.label.replaceChildren(s.name);
    if (s.audioMuted) this.label.append(mutedBadge());
    this.label.title = s.audioMuted ? `${s.name} (muted)` : s.name;
    this.root.classList.toggle('camera-off', s.videoMuted || !this.videoTrack);
  }

  setVideo(track: MediaStreamTrack | null): void {
    if (track === this.videoTrack) return;
    this.videoTrack = track;
    this.video.srcObject = track ? new MediaStream([track]) : null;
  }

  setAudio(track: MediaStreamTrack | null): void {
    if (track === this.audioTrack) return;
    this.audioTrack = track;
    this.audio.srcObject = track ? new MediaStream([track]) : null;
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** A crossed-out microphone (drawn, so it needs no emoji font). */
function mutedBadge(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'muted');
  svg.setAttribute('aria-label', 'muted');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1a7 7 0 0 0 6-6.9h-2z');
  const slash = document.createElementNS(SVG, 'path');
  slash.setAttribute('d', 'M3 3l18 18');
  slash.setAttribute('class', 'slash');
  svg.append(path, slash);
  return svg;
}

const GAP = 8;
const ASPECT = 16 / 9;

export class TileGrid {
  readonly root = document.createElement('div');
  private readonly tiles = new Map<string, Tile>();
  private readonly states = new Map<string, TileState>();

  constructor() {
    this.root.className = 'grid';
    new ResizeObserver(() => this.layout()).observe(this.root);
  }

  upsert(id: string, state: TileState, local = false): void {
    let tile = this.tiles.get(id);
    if (!tile) {
      tile = new Tile(id, local);
      this.tiles.set(id, tile);
      this.root.append(tile.root);
    }
    this.states.set(id, state);
    tile.update(state);
    this.layout();
  }

  patch(id: string, change: Partial<TileState>): void {
    const s = this.states.get(id);
    if (s) this.upsert(id, { ...s, ...change });
  }

  remove(id: string): void {
    this.tiles.get(id)?.root.remove();
    this.tiles.delete(id);
    this.states.delete(id);
    this.layout();
  }

  setTracks(id: string, video: MediaStreamTrack | null, audio: MediaStreamTrack | null): void {
    const tile = this.tiles.get(id);
    if (!tile) return;
    tile.setVideo(video);
    tile.setAudio(audio);
    tile.update(this.states.get(id)!);
  }

  ids(): string[] {
    return [...this.tiles.keys()];
  }

  /** The largest 16:9 tiles that fit the grid's box, whatever its shape: nothing scrolls. */
  private layout(): void {
    const n = Math.max(1, this.tiles.size);
    const width = this.root.clientWidth - 2 * GAP;
    const height = this.root.clientHeight - 2 * GAP;
    if (width <= 0 || height <= 0) return;
    let best = { columns: 1, tile: 0 };
    for (let columns = 1; columns <= n; columns++) {
      const rows = Math.ceil(n / columns);
      const tile = Math.min((width - (columns - 1) * GAP) / columns, ((height - (rows - 1) * GAP) / rows) * ASPECT);
      if (tile > best.tile) best = { columns, tile };
    }
    this.root.style.gridTemplateColumns = `repeat(${best.columns}, ${Math.floor(best.tile)}px)`;
  }
}
