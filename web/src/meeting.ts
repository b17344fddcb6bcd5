// A joined meeting: signalling, the two peer connections, the tiles and the controls.

import type { LocalMedia } from './devices';
import type { ParticipantInfo, Replies, SubscribeAnswer, SubscribeSection } from './protocol';
import { Publisher } from './publisher';
import { startReporting } from './report';
import { Signalling } from './signalling';
import { Subscriber, type Offer } from './subscriber';
import { TileGrid } from './tiles';
import { ReceiveQuality, byParticipant, sendQuality } from './quality';
import { banner, el, mount } from './ui';

const SELF = 'self';

export class Meeting {
  private readonly signalling = new Signalling();
  private readonly grid = new TileGrid();
  private publisher: Publisher | null = null;
  private subscriber: Subscriber | null = null;
  /**
   * Subscribe offers that arrived before the join's reply created the subscribe connection: the
   * server may offer as soon as it has joined us. Answered once the connection exists.
   */
  private earlyOffers: { offer: Offer; ack: (r: SubscribeAnswer) => void }[] = [];
  private participantId: string | null = null;
  private joining = false;
  private left = false;
  private readonly status = el('p', { className: 'status', id: 'status' });
  /** The subscribe offer's sections now received (mid → participant), for connection quality. */
  private sections: SubscribeSection[] = [];
  private qualityTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly roomId: string,
    private readonly name: string,
    private readonly media: LocalMedia,
    private readonly report: string | null = null,
  ) {}

  async start(): Promise<void> {
    // For automated tests and troubleshooting: packets received per kind on the subscribe side.
    (window as unknown as { parley: object }).parley = {
      received: () => this.received(),
      participantId: () => this.participantId,
      /** What the browser sends: per-layer resolution, bitrate and why it is limited. */
      sending: () => this.sendingStats(),
      /** The tiles (TileGrid), for automated tests of layouts and badges. */
      tiles: this.grid,
    };
    this.render();
    this.watchQuality();
    if (this.report) {
      startReporting(this.report, async () => ({ participantId: this.participantId, ...(await this.packets()) }));
    }
    this.signalling.onConnectionChange((state) => {
      if (this.left) return;
      if (state === 'connected') {
        banner(null);
        void this.join();
      } else if (state === 'unreachable') {
        banner('Cannot reach the Parley server. Retrying…');
      } else {
        banner('Connection to the server lost. Reconnecting…');
        this.resetMedia();
      }
    });
    this.signalling.on('participant-joined', ({ participant }) => this.addParticipant(participant));
    this.signalling.on('participant-left', ({ participantId }) => this.grid.remove(participantId));
    this.signalling.on('participant-updated', (p) =>
      this.grid.patch(p.participantId, { audioMuted: p.audioMuted, videoMuted: p.videoMuted }),
    );
    this.signalling.on('subscribe-offer', (offer, ack) => {
      const reply = (r: SubscribeAnswer) => ack?.(r);
      if (this.subscriber) this.subscriber.handle(offer, reply);
      else this.earlyOffers.push({ offer, ack: reply });
    });
    this.signalling.on('removed', ({ reason }) => {
      banner(`You were disconnected (${reason}). Rejoining…`);
      this.resetMedia();
      void this.join();
    });
    this.signalling.on('request-failed', ({ event, error }) => console.warn(`${event} failed: ${error}`));
  }

  /** Joins (or rejoins after a reconnect): fresh peer connections each time. */
  private async join(): Promise<void> {
    if (this.joining || this.left) return;
    this.joining = true;
    try {
      this.status.textContent = 'Joining…';
      let reply: Replies['join'];
      try {
        reply = await this.signalling.request('join', { roomId: this.roomId, name: this.name });
      } catch (e) {
        this.status.textContent = `Could not join: ${(e as Error).message}`;
        return;
      }
      this.participantId = reply.participantId;
      document.body.dataset.participantId = reply.participantId;
      for (const id of this.grid.ids()) if (id !== SELF) this.grid.remove(id);
      reply.room.participants.forEach((p) => this.addParticipant(p));
      this.subscriber = new Subscriber(reply.iceServers, (tracks) => this.showTracks(tracks));
      for (const early of this.earlyOffers.splice(0)) this.subscriber.handle(early.offer, early.ack);
      this.publisher = new Publisher(reply.iceServers);
      this.publisher.pc.onconnectionstatechange = () => this.onMediaState(this.publisher?.pc.connectionState);
      try {
        await this.publisher.publish(this.media, this.signalling);
        this.status.textContent = this.media.problem ?? '';
      } catch (e) {
        this.status.textContent = `Could not send your camera and mic: ${(e as Error).message}`;
      }
      await this.sendMediaState();
    } finally {
      this.joining = false;
    }
  }

  private async packets(): Promise<{ audioPackets: number; videoPackets: number; sentVideoPackets: number; local: string }> {
    const r = await this.received();
    let sent = 0;
    (await this.publisher?.pc.getStats())?.forEach((s: { type: string; kind?: string; packetsSent?: number }) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') sent += s.packetsSent ?? 0;
    });
    const local = this.media.stream
      .getTracks()
      .map((t) => `${t.kind}:${t.readyState}${t.enabled ? '' : ':off'}`)
      .join(',');
    return { audioPackets: r.audio, videoPackets: r.video, sentVideoPackets: sent, local };
  }

  private async sendingStats(): Promise<object[]> {
    const out: object[] = [];
    (await this.publisher?.pc.getStats())?.forEach((s: Record<string, unknown>) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        const { rid, frameWidth, framesPerSecond, bytesSent, qualityLimitationReason, targetBitrate } = s;
        out.push({ rid, frameWidth, framesPerSecond, bytesSent, qualityLimitationReason, targetBitrate });
      }
      if (s.type === 'candidate-pair' && s.nominated) {
        out.push({ availableOutgoingBitrate: s.availableOutgoingBitrate, rtt: s.currentRoundTripTime });
      }
    });
    return out;
  }

  private async received(): Promise<{ audio: number; video: number }> {
    const out = { audio: 0, video: 0 };
    const stats = await this.subscriber?.pc.getStats();
    stats?.forEach((s: { type: string; kind?: string; packetsReceived?: number }) => {
      if (s.type === 'inbound-rtp' && (s.kind === 'audio' || s.kind === 'video')) out[s.kind] += s.packetsReceived ?? 0;
    });
    return out;
  }

  private onMediaState(state: RTCPeerConnectionState | undefined): void {
    if (state === 'failed') banner('Media connection failed. Check that UDP to the server is allowed.');
    else if (state === 'connected') banner(null);
  }

  private addParticipant(p: ParticipantInfo): void {
    if (p.participantId === this.participantId) return;
    this.grid.upsert(p.participantId, { name: p.name, audioMuted: p.audioMuted, videoMuted: p.videoMuted });
  }

  private showTracks(tracks: { section: SubscribeSection; track: MediaStreamTrack }[]): void {
    this.sections = tracks.map((t) => t.section);
    const by = new Map<string, { video: MediaStreamTrack | null; audio: MediaStreamTrack | null }>();
    for (const id of this.grid.ids()) if (id !== SELF) by.set(id, { video: null, audio: null });
    for (const { section, track } of tracks) {
      const entry = by.get(section.participantId);
      if (!entry) continue;
      if (section.kind === 'video' && section.source === 'camera') entry.video = track;
      if (section.kind === 'audio') entry.audio = track;
    }
    by.forEach((t, id) => this.grid.setTracks(id, t.video, t.audio));
  }

  private resetMedia(): void {
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = null;
    this.subscriber = null;
    this.earlyOffers = [];
  }

  private async sendMediaState(): Promise<void> {
    const audioMuted = !this.media.audio?.enabled;
    const videoMuted = !this.media.video?.enabled;
    this.grid.patch(SELF, { audioMuted, videoMuted });
    if (this.signalling.connected && this.participantId) {
      await this.signalling.request('set-media-state', { audioMuted, videoMuted }).catch(() => undefined);
    }
  }

  /** Every 3 s: each remote tile's connection quality, and our own (what we send). */
  private watchQuality(): void {
    const received = new ReceiveQuality();
    this.qualityTimer = setInterval(async () => {
      const sub = await this.subscriber?.pc.getStats().catch(() => undefined);
      if (sub) byParticipant(received.update(sub), this.sections).forEach((quality, id) => this.grid.patch(id, { quality }));
      const pub = await this.publisher?.pc.getStats().catch(() => undefined);
      if (pub) this.grid.patch(SELF, { quality: sendQuality(pub) });
    }, 3000);
  }

  private leave(): void {
    this.left = true;
    if (this.qualityTimer) clearInterval(this.qualityTimer);
    void this.signalling.request('leave', {}).catch(() => undefined).finally(() => this.signalling.close());
    this.resetMedia();
    this.media.stream.getTracks().forEach((t) => t.stop());
    banner(null);
    mount(
      el(
        'section',
        { className: 'notice', id: 'left' },
        el('h1', { textContent: 'You left the meeting' }),
        el('div', { className: 'row' },
          el('button', { className: 'primary', textContent: 'Rejoin', onclick: () => location.reload() }),
          el('a', { href: '/', textContent: 'Home' })),
      ),
    );
  }

  private render(): void {
    this.grid.upsert(SELF, { name: `${this.name} (you)`, audioMuted: false, videoMuted: false }, true);
    this.grid.setTracks(SELF, this.media.video, null);
    this.grid.setAudioOutput(this.media.speakerId);
    const mic = this.toggle('mic', this.media.audio);
    const cam = this.toggle('camera', this.media.video);
    const leave = el('button', { className: 'leave', textContent: 'Leave', id: 'leave', onclick: () => this.leave() });
    mount(
      el('section', { className: 'room' },
        this.grid.root,
        el('footer', { className: 'controls' }, el('span', { className: 'code', textContent: this.roomId }), this.copyLink(), mic, cam, this.grid.layoutButton(), leave),
        this.status),
    );
  }

  /** Copies the meeting's link to invite someone; shows the link where the clipboard is not allowed. */
  private copyLink(): HTMLButtonElement {
    const link = `${location.origin}/r/${this.roomId}`;
    const b = el('button', { className: 'toggle', id: 'copy-link', textContent: 'Copy invite link', title: link });
    b.onclick = async () => {
      try {
        await navigator.clipboard.writeText(link);
        b.textContent = 'Link copied';
      } catch {
        this.status.textContent = `Invite others with this link: ${link}`;
      }
    };
    return b;
  }

  private toggle(what: 'mic' | 'camera', track: MediaStreamTrack | null): HTMLButtonElement {
    const b = el('button', { className: 'toggle', id: `toggle-${what}`, disabled: !track });
    const render = () => {
      const on = !!track?.enabled;
      b.textContent = what === 'mic' ? (on ? 'Mute' : 'Unmute') : on ? 'Camera off' : 'Camera on';
      b.classList.toggle('off', !on);
    };
    b.onclick = () => {
      if (track) track.enabled = !track.enabled;
      render();
      void this.sendMediaState();
    };
    render();
    return b;
  }
}
