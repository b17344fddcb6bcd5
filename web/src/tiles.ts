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
    this.label.textContent = s.name + (s.audioMuted ? ' 🔇' : '');
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

export class TileGrid {
  readonly root = document.createElement('div');
  private readonly tiles = new Map<string, Tile>();
  private readonly states = new Map<string, TileState>();

  constructor() {
    this.root.className = 'grid';
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

  private layout(): void {
    const n = Math.max(1, this.tiles.size);
    const columns = Math.ceil(Math.sqrt(n));
    this.root.style.gridTemplateColumns = `repeat(${columns}, 1fr)`;
  }
}
