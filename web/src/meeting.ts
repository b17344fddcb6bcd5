// A joined meeting: signalling, the two peer connections, the tiles, the control bar and its panels
// (chat, people), the lobby and password screens, and reconnecting after a drop.

import type { LocalMedia } from './devices';
import { ChatPanel, panel } from './chat';
import { deviceChoice } from './device-choice';
import { PeoplePanel } from './people';
import type {
  ChatMessage, ParticipantInfo, Replies, Requests, RoomSettings, SubscribeAnswer, SubscribeSection, Waiting,
} from './protocol';
import { REACTIONS } from './protocol';
import { Publisher } from './publisher';
import { ReceiveQuality, Steady, byParticipant, sendQuality } from './quality';
import { startReporting, type Report } from './report';
import { RequestError, Signalling } from './signalling';
import { Subscriber, type Offer } from './subscriber';
import { TileGrid, type VisibleTile } from './tiles';
import { banner, el, mount } from './ui';

const SELF = 'self';
const SELF_SCREEN = 'self:screen';
/** A join may wait in the lobby until the host answers. */
const JOIN_TIMEOUT_MS = 30 * 60_000;
/** A media connection that stays disconnected this long is rebuilt. */
const MEDIA_GRACE_MS = 6000;

const REACTION_NAMES: Record<string, string> = {
  '👍': 'Thumbs up', '👏': 'Clap', '😂': 'Laugh', '❤️': 'Heart', '🎉': 'Celebrate', '😮': 'Surprised',
};

type Panel = 'chat' | 'people' | 'settings';

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
  private rejoinToken: string | undefined;
  private password: string | undefined;
  private joining = false;
  /** The server took us out, or the media failed, while a join was under way: rejoin after it. */
  private rejoinAfterJoin = false;
  private left = false;
  private inRoom = false;
  private readonly status = el('p', { className: 'status', id: 'status', role: 'status' });
  private readonly toasts = el('div', { className: 'toasts', id: 'toasts', role: 'status' });
  /** The subscribe offer's sections now received, with their tracks. */
  private sections: SubscribeSection[] = [];
  /** The "connection is slow" toast is shown once per meeting. */
  private toldVideoPaused = false;
  private qualityTimer: ReturnType<typeof setInterval> | null = null;
  private mediaTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly participants = new Map<string, ParticipantInfo>();
  private settings: RoomSettings | null = null;
  private waiting: Waiting[] = [];
  private handRaisedAt: number | undefined;
  private screen: MediaStream | null = null;
  private unread = 0;
  private openPanel: Panel | null = null;
  private lastView = '';

  private readonly chat = new ChatPanel((text) => this.signalling.request('chat', { text }).then(() => undefined), () => this.show(null));
  private readonly people = new PeoplePanel(
    {
      mute: (id) => this.hostRequest('mute', { participantId: id }),
      muteAll: () => this.hostRequest('mute-all', {}),
      endMeeting: () => {
        if (confirm('End the meeting for everyone? Everyone in it leaves, you too.')) void this.endForEveryone();
      },
      remove: (id, name) => {
        if (confirm(`Remove ${name} from the meeting?`)) this.hostRequest('remove', { participantId: id });
      },
      makeHost: (id) => this.hostRequest('make-host', { participantId: id }),
      admit: (id, allow) => this.hostRequest('admit', { participantId: id, allow }),
      update: (change) => this.hostRequest('update-room', change),
    },
    () => this.show(null),
  );
  private devicePanel!: HTMLElement;
  private view!: HTMLElement;
  private readonly buttons: Record<string, HTMLButtonElement> = {};
  private renderMic: () => void = () => undefined;

  constructor(
    private readonly roomId: string,
    private readonly name: string,
    private readonly media: LocalMedia,
    private readonly report: string | null = null,
  ) {}

  async start(): Promise<void> {
    // For automated tests and troubleshooting.
    (window as unknown as { parley: object }).parley = {
      /** Packets received per kind on the subscribe side. */
      received: () => this.received(),
      participantId: () => this.participantId,
      /** What the browser sends: per-layer resolution, bitrate and why it is limited. */
      sending: () => this.sendingStats(),
      /** The tiles (TileGrid), for automated tests of layouts and badges. */
      tiles: this.grid,
      /** Drops the signalling connection as a network failure would. */
      simulateDrop: () => this.signalling.simulateDrop(),
      /** Rebuilds the media connections as after one failed (leave, rejoin with the token). */
      simulateMediaFailure: () => this.reconnectMedia(),
      /** The subscribe connection's getStats(), for tests. */
      subscriberStats: () => this.subscriber?.pc.getStats() ?? Promise.resolve(new Map()),
      /** The video producers the server forwards to us now, by what we last told it. */
      shownVideos: () => this.lastView,
      /** The room's settings as the server last told them (host, lock, lobby, password set). */
      settings: () => this.settings,
    };
    this.render();
    this.watchQuality();
    this.shortcuts();
    if (this.report) {
      startReporting(this.report, async () => ({ participantId: this.participantId, ...(await this.packets()) }));
    }
    this.signalling.onConnectionChange((state, reason) => {
      if (this.left) return;
      if (state === 'connected') {
        banner(null);
        void this.join();
      } else if (state === 'unreachable') {
        banner(this.inRoom ? 'Reconnecting… (the server cannot be reached yet)' : 'Cannot reach the Parley server. Retrying…');
      } else {
        console.warn(`signalling connection lost (${reason}): reconnecting`);
        banner('Reconnecting… Your connection to the meeting dropped.');
        this.resetMedia();
      }
    });
    this.signalling.on('participant-joined', ({ participant }) => this.addParticipant(participant));
    this.signalling.on('participant-left', ({ participantId }) => this.removeParticipant(participantId));
    this.signalling.on('participant-updated', (u) => this.updateParticipant(u));
    this.signalling.on('subscribe-offer', (offer, ack) => {
      const reply = (r: SubscribeAnswer) => ack?.(r);
      if (this.subscriber) this.subscriber.handle(offer, reply);
      else this.earlyOffers.push({ offer, ack: reply });
    });
    this.signalling.on('removed', ({ reason, byHost }) => {
      if (byHost) {
        this.end('You were removed from the meeting', `${reason} You can go back to the home page.`, false);
        return;
      }
      console.warn(`the server took us out of the room (${reason}): rejoining`);
      banner(`Reconnecting… (${reason})`);
      if (this.joining) {
        this.rejoinAfterJoin = true;
        return;
      }
      this.resetMedia();
      void this.join();
    });
    this.signalling.on('room-updated', ({ settings }) => this.applySettings(settings));
    this.signalling.on('chat', (m) => this.onChat(m));
    this.signalling.on('reaction', ({ participantId, emoji }) => this.grid.react(this.tileId(participantId), emoji));
    this.signalling.on('dominant-speaker', ({ participantId }) => this.showSpeaker(participantId));
    this.signalling.on('meeting-ended', ({ hostName }) =>
      this.end('The meeting has ended', `${hostName} ended the meeting for everyone. You can go back to the home page.`, false, false),
    );
    this.signalling.on('muted-by-host', ({ hostName }) => {
      if (this.media.audio) this.media.audio.enabled = false;
      this.renderMic();
      void this.sendMediaState();
      this.toast(`${hostName} muted you. Unmute when you want to speak (Ctrl+D).`);
    });
    this.signalling.on('publish-layers', ({ mid, rids }) => this.publisher?.sendLayers(mid, rids));
    this.signalling.on('video-paused', ({ producerId, paused }) => this.onVideoPaused(producerId, paused));
    this.signalling.on('lobby', ({ waiting }) => this.onLobby(waiting));
    this.signalling.on('lobby-waiting', () => this.showWaiting());
    this.signalling.on('request-failed', ({ event, error }) => console.warn(`${event} failed: ${error}`));
    this.grid.onViewChange((visible) => this.reportView(visible));
  }

  /** Joins (or rejoins after a reconnect): fresh peer connections each time. */
  private async join(): Promise<void> {
    if (this.joining || this.left) return;
    this.joining = true;
    try {
      this.status.textContent = this.inRoom ? 'Reconnecting…' : 'Joining…';
      let reply: Replies['join'];
      try {
        reply = await this.signalling.request(
          'join',
          { roomId: this.roomId, name: this.name, password: this.password, rejoinToken: this.rejoinToken, red: takesRedundantAudio() },
          JOIN_TIMEOUT_MS,
        );
      } catch (e) {
        this.joinFailed(e);
        return;
      }
      this.participantId = reply.participantId;
      this.rejoinToken = reply.rejoinToken;
      document.body.dataset.participantId = reply.participantId;
      if (!this.inRoom || document.getElementById('room') === null) mount(this.view);
      this.inRoom = true;
      banner(null);
      for (const id of this.grid.ids()) if (id !== SELF && id !== SELF_SCREEN) this.grid.remove(id);
      this.participants.clear();
      this.sections = [];
      reply.room.participants.forEach((p) => this.addParticipant(p));
      reply.room.chat.forEach((m) => this.chat.add(m, m.participantId === this.participantId));
      // Whoever is talking as we come in (otherwise nobody is marked until the speaker changes);
      // after a rejoin, nobody from before.
      this.showSpeaker(reply.room.dominantSpeaker ?? null);
      this.applySettings(reply.room.settings);
      this.subscriber = new Subscriber(reply.iceServers, (tracks) => this.showTracks(tracks));
      this.subscriber.pc.onconnectionstatechange = () => this.onMediaState(this.subscriber?.pc.connectionState, 'subscribe');
      for (const early of this.earlyOffers.splice(0)) this.subscriber.handle(early.offer, early.ack);
      this.publisher = new Publisher(reply.iceServers);
      this.publisher.pc.onconnectionstatechange = () => this.onMediaState(this.publisher?.pc.connectionState, 'publish');
      try {
        await this.publisher.publish(this.media, this.signalling);
        if (this.screen) await this.publisher.share(this.screen);
        this.status.textContent = this.media.problem ?? '';
      } catch (e) {
        this.status.textContent = `Could not send your camera and mic: ${(e as Error).message}`;
      }
      await this.sendMediaState();
      if (this.handRaisedAt !== undefined) await this.signalling.request('raise-hand', { raised: true }).catch(() => undefined);
      this.lastView = '';
      this.reportView(this.grid.visible());
    } finally {
      this.joining = false;
      // Out again before this join was done (its answer may already be stale): one more round.
      if (this.rejoinAfterJoin) {
        this.rejoinAfterJoin = false;
        void this.reconnectMedia();
      }
    }
  }

  private joinFailed(e: unknown): void {
    const code = e instanceof RequestError ? e.code : undefined;
    const message = (e as Error).message;
    if (code === 'password-required' || code === 'wrong-password') {
      this.passwordPrompt(code === 'wrong-password' ? 'That password is not right. Try again.' : null);
    } else if (code === 'room-locked' || code === 'room-full') {
      this.notice(code === 'room-locked' ? 'This meeting is locked' : 'This meeting is full', message, 'Try again');
    } else if (code === 'meeting-ended') {
      this.notice('The meeting has ended', 'The host ended this meeting before letting you in.', 'Join again');
    } else if (code === 'lobby-denied') {
      this.notice('You were not let in', 'The host did not let you into this meeting.', 'Ask again');
    } else if (this.inRoom) {
      banner(`Reconnecting… (${message})`);
      setTimeout(() => this.signalling.connected && void this.join(), 2000);
    } else {
      this.status.textContent = `Could not join: ${message}`;
    }
  }

  // ---- screens before and after the room ----

  private showWaiting(): void {
    const cancel = el('button', { textContent: 'Cancel', id: 'lobby-cancel', onclick: () => this.end('You left the waiting room', 'Nobody was told you were there.', true) });
    const preview = el('video', { autoplay: true, muted: true, playsInline: true, className: 'preview mirror' });
    preview.srcObject = this.media.stream;
    mount(el('section', { className: 'prejoin', id: 'lobby-waiting' },
      el('div', { className: 'preview-box' }, preview),
      el('div', { className: 'prejoin-side' },
        el('h1', { textContent: 'Asking to join…' }),
        el('p', { textContent: 'You will join the meeting when the host lets you in.' }),
        el('p', { className: 'code', textContent: this.roomId }),
        cancel)));
  }

  private passwordPrompt(error: string | null): void {
    const input = el('input', { type: 'password', id: 'room-password', maxLength: 64, placeholder: 'Meeting password', autocomplete: 'off' });
    input.setAttribute('aria-label', 'Meeting password');
    const submit = el('button', { className: 'primary', id: 'password-join', textContent: 'Join', type: 'submit' });
    const form = el('form', { className: 'row' }, input, submit);
    form.onsubmit = (ev) => {
      ev.preventDefault();
      if (!input.value) return;
      this.password = input.value;
      void this.join();
    };
    const problem = el('p', { className: 'error', id: 'password-error', hidden: !error, textContent: error ?? '' });
    problem.setAttribute('role', 'alert');
    mount(el('section', { className: 'notice', id: 'password-needed' },
      el('h1', { textContent: 'This meeting needs a password' }),
      el('p', { textContent: 'Ask the host for it.' }), form, problem,
      el('a', { href: '/', textContent: 'Back to the home page' })));
    input.focus();
  }

  private notice(title: string, text: string, retry: string): void {
    mount(el('section', { className: 'notice', id: 'join-refused' },
      el('h1', { textContent: title }), el('p', { textContent: text }),
      el('div', { className: 'row' },
        el('button', { className: 'primary', textContent: retry, onclick: () => void this.join() }),
        el('a', { href: '/', textContent: 'Home' }))));
  }

  /** Leaves for good and shows why; `rejoin` false when there is no meeting left to go back to. */
  private end(title: string, text: string, tellServer: boolean, rejoin = true): void {
    this.left = true;
    if (this.qualityTimer) clearInterval(this.qualityTimer);
    const bye = tellServer ? this.signalling.request('leave', {}).catch(() => undefined) : Promise.resolve();
    void bye.finally(() => this.signalling.close());
    this.resetMedia();
    this.media.stream.getTracks().forEach((t) => t.stop());
    this.screen?.getTracks().forEach((t) => t.stop());
    banner(null);
    mount(el('section', { className: 'notice', id: 'left' },
      el('h1', { textContent: title }), el('p', { textContent: text }),
      el('div', { className: 'row' },
        rejoin ? el('button', { className: 'primary', textContent: 'Rejoin', onclick: () => location.reload() }) : '',
        el('a', { href: '/', textContent: 'Home' }))));
  }

  // ---- participants ----

  /** Marks who the server names as speaking (their tile rings; in spotlight they take the stage). */
  private showSpeaker(participantId: string | null): void {
    this.grid.setSpeaker(participantId === null ? null : this.tileId(participantId));
    if (participantId === null) delete document.body.dataset.speaker;
    else document.body.dataset.speaker = participantId;
  }

  /** The server holds a video back (or lets it go again) for this browser's slow connection. */
  private onVideoPaused(producerId: string, paused: boolean): void {
    const section = this.sections.find((s) => s.producerId === producerId);
    if (!section) return;
    const id = section.source === 'screen' ? `${section.participantId}:screen` : section.participantId;
    this.grid.setBandwidthPaused(id, paused);
    if (paused && !this.toldVideoPaused) {
      this.toldVideoPaused = true;
      this.toast('Your connection is slow: some videos are paused so you can keep hearing everyone.');
    }
  }

  private tileId(participantId: string): string {
    return participantId === this.participantId ? SELF : participantId;
  }

  private addParticipant(p: ParticipantInfo): void {
    if (p.participantId === this.participantId) return;
    this.participants.set(p.participantId, p);
    this.grid.upsert(p.participantId, {
      name: p.name, audioMuted: p.audioMuted, videoMuted: p.videoMuted,
      handRaised: p.handRaisedAt !== undefined, host: this.settings?.hostId === p.participantId,
    });
    this.renderPeople();
  }

  private removeParticipant(id: string): void {
    this.participants.delete(id);
    this.grid.remove(id);
    this.grid.remove(`${id}:screen`);
    this.renderPeople();
  }

  private updateParticipant(u: { participantId: string; audioMuted: boolean; videoMuted: boolean; handRaisedAt?: number }): void {
    if (u.participantId === this.participantId) {
      this.handRaisedAt = u.handRaisedAt;
      this.grid.patch(SELF, { handRaised: u.handRaisedAt !== undefined });
      this.syncHandButton();
    } else {
      const p = this.participants.get(u.participantId);
      if (p) this.participants.set(u.participantId, { ...p, ...u, handRaisedAt: u.handRaisedAt });
      this.grid.patch(u.participantId, { audioMuted: u.audioMuted, videoMuted: u.videoMuted, handRaised: u.handRaisedAt !== undefined });
    }
    this.renderPeople();
  }

  private applySettings(s: RoomSettings): void {
    const before = this.settings?.hostId;
    this.settings = s;
    for (const id of this.grid.ids()) {
      if (!id.endsWith(':screen')) this.grid.patch(id, { host: (id === SELF ? this.participantId : id) === s.hostId });
    }
    const iAmHost = s.hostId === this.participantId;
    document.body.dataset.host = String(iAmHost);
    if (iAmHost && before !== undefined && before !== s.hostId) this.toast('You are now the host.');
    if (!iAmHost) this.onLobby([]);
    this.renderPeople();
  }

  private onLobby(waiting: Waiting[]): void {
    const fresh = waiting.filter((w) => !this.waiting.some((o) => o.participantId === w.participantId));
    this.waiting = waiting;
    this.buttons.people?.setAttribute('data-badge', waiting.length > 0 ? String(waiting.length) : '');
    for (const w of fresh) {
      const admit = el('button', { className: 'small primary', textContent: 'Admit', onclick: () => this.hostRequest('admit', { participantId: w.participantId, allow: true }) });
      admit.setAttribute('aria-label', `Admit ${w.name}`);
      const deny = el('button', { className: 'small', textContent: 'Deny', onclick: () => this.hostRequest('admit', { participantId: w.participantId, allow: false }) });
      deny.setAttribute('aria-label', `Deny ${w.name}`);
      const t = this.toast(`${w.name} wants to join.`, admit, deny);
      t.dataset.waiting = w.participantId;
    }
    // Requests no longer pending (answered here, elsewhere, or given up) leave the screen.
    this.toasts.querySelectorAll<HTMLElement>('[data-waiting]').forEach((t) => {
      if (!waiting.some((w) => w.participantId === t.dataset.waiting)) t.remove();
    });
    this.renderPeople();
  }

  private renderPeople(): void {
    this.people.render({
      selfId: this.participantId,
      selfName: this.name,
      self: { audioMuted: !this.media.audio?.enabled, videoMuted: !this.media.video?.enabled, handRaisedAt: this.handRaisedAt },
      participants: [...this.participants.values()],
      settings: this.settings,
      waiting: this.waiting,
    });
  }

  private hostRequest<E extends 'mute' | 'mute-all' | 'remove' | 'make-host' | 'admit' | 'update-room'>(event: E, payload: Requests[E]): void {
    void this.signalling.request(event, payload).catch((e: Error) => {
      console.error(`${event} refused: ${e.message}`);
      this.toast(`Could not do that: ${e.message}`);
    });
  }

  /** Host: ends the meeting for everyone (the server takes us out too), then says so. */
  private async endForEveryone(): Promise<void> {
    try {
      await this.signalling.request('end-meeting', {});
    } catch (e) {
      this.toast(`Could not end the meeting: ${(e as Error).message}`);
      return;
    }
    this.end('You ended the meeting', 'Everyone has left it. You can go back to the home page.', false, false);
  }

  // ---- media ----

  private showTracks(tracks: { section: SubscribeSection; track: MediaStreamTrack }[]): void {
    this.sections = tracks.map((t) => t.section);
    const cams = new Map<string, { video: MediaStreamTrack | null; audio: MediaStreamTrack | null }>();
    const screens = new Map<string, { video: MediaStreamTrack | null; audio: MediaStreamTrack | null }>();
    for (const id of this.participants.keys()) cams.set(id, { video: null, audio: null });
    for (const { section, track } of tracks) {
      if (!this.participants.has(section.participantId)) continue;
      if (section.source === 'screen') {
        const s = screens.get(section.participantId) ?? { video: null, audio: null };
        if (section.kind === 'video') s.video = track;
        else s.audio = track;
        screens.set(section.participantId, s);
        continue;
      }
      const entry = cams.get(section.participantId)!;
      if (section.kind === 'video') entry.video = track;
      if (section.kind === 'audio') entry.audio = track;
    }
    cams.forEach((t, id) => this.grid.setTracks(id, t.video, t.audio));
    for (const id of this.grid.ids()) {
      if (id.endsWith(':screen') && id !== SELF_SCREEN && !screens.has(id.slice(0, -':screen'.length))) this.grid.remove(id);
    }
    screens.forEach((t, id) => {
      const who = this.participants.get(id)!;
      this.grid.upsert(`${id}:screen`, { name: `${who.name} is presenting`, audioMuted: false, videoMuted: false }, false, 'screen');
      this.grid.setTracks(`${id}:screen`, t.video, t.audio);
    });
    this.reportView(this.grid.visible());
  }

  /** Tells the server which videos are on screen, so it forwards only those. */
  private reportView(visible: VisibleTile[]): void {
    if (!this.participantId || !this.signalling.connected) return;
    const videos: { producerId: string; width: number; height: number }[] = [];
    for (const v of visible) {
      const screen = v.id.endsWith(':screen');
      const participant = screen ? v.id.slice(0, -':screen'.length) : v.id;
      const section = this.sections.find(
        (s) => s.participantId === participant && s.kind === 'video' && (s.source === 'screen') === screen,
      );
      // Device pixels: a small tile on a sharp screen still wants a sharp picture.
      const dpr = window.devicePixelRatio || 1;
      if (section) videos.push({ producerId: section.producerId, width: Math.round(v.width * dpr), height: Math.round(v.height * dpr) });
    }
    // Sizes matter by the layer they call for (steps of 200 px): resizing by a few pixels is silent.
    const key = videos.map((v) => `${v.producerId}@${Math.ceil(v.height / 200)}`).sort().join(',');
    if (key === this.lastView && videos.length > 0) return;
    this.lastView = key;
    void this.signalling.request('set-view', { videos }).catch(() => undefined);
  }

  private onMediaState(state: RTCPeerConnectionState | undefined, which: string): void {
    if (state === 'connected') {
      if (this.mediaTimer) clearTimeout(this.mediaTimer);
      this.mediaTimer = null;
      banner(null);
    } else if ((state === 'failed' || state === 'disconnected') && !this.mediaTimer && !this.left) {
      console.warn(`${which} media connection ${state}: ${state === 'failed' ? 'rejoining now' : `rejoining unless it recovers in ${MEDIA_GRACE_MS} ms`}`);
      banner('Reconnecting… Your media connection dropped.');
      // A short network blip heals by itself; a longer one gets new connections.
      this.mediaTimer = setTimeout(() => {
        this.mediaTimer = null;
        void this.reconnectMedia();
      }, state === 'failed' ? 0 : MEDIA_GRACE_MS);
    }
  }

  /** New peer connections through a leave and a rejoin that keeps our place (rejoin token). */
  private async reconnectMedia(): Promise<void> {
    if (this.left || !this.signalling.connected) return;
    if (this.joining) {
      this.rejoinAfterJoin = true;
      return;
    }
    // Leave before closing the connections: closed first, the server would see the media go
    // (DTLS close) and take us out itself.
    await this.signalling.request('leave', {}).catch(() => undefined);
    this.resetMedia();
    await this.join();
  }

  private resetMedia(): void {
    // Out of the room until the rejoin: requests to answer (lobby) are stale; the server sends
    // them again to whoever is host then.
    this.onLobby([]);
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
    this.renderPeople();
    if (this.signalling.connected && this.participantId) {
      await this.signalling.request('set-media-state', { audioMuted, videoMuted }).catch(() => undefined);
    }
  }

  /** Shares a screen, window or tab. Tests replace the picker with window.parleyDisplayMedia. */
  private async toggleShare(): Promise<void> {
    if (this.screen) {
      await this.stopShare();
      return;
    }
    const pick = (window as unknown as { parleyDisplayMedia?: () => Promise<MediaStream> }).parleyDisplayMedia
      ?? (() => navigator.mediaDevices.getDisplayMedia({ video: true, audio: true }));
    let stream: MediaStream;
    try {
      stream = await pick();
    } catch (e) {
      const name = e instanceof DOMException ? e.name : '';
      if (name !== 'NotAllowedError' && name !== 'AbortError') this.toast(`Could not share your screen: ${(e as Error).message}`);
      return;
    }
    this.screen = stream;
    stream.getVideoTracks()[0]?.addEventListener('ended', () => void this.stopShare());
    this.grid.upsert(SELF_SCREEN, { name: 'You are presenting', audioMuted: false, videoMuted: false }, true, 'screen');
    this.grid.setTracks(SELF_SCREEN, stream.getVideoTracks()[0] ?? null, null);
    this.syncShareButton();
    try {
      await this.publisher?.share(stream);
    } catch (e) {
      this.toast(`Could not share your screen: ${(e as Error).message}`);
      await this.stopShare();
    }
  }

  private async stopShare(): Promise<void> {
    const stream = this.screen;
    if (!stream) return;
    this.screen = null;
    stream.getTracks().forEach((t) => t.stop());
    this.grid.remove(SELF_SCREEN);
    this.syncShareButton();
    await this.publisher?.stopSharing().catch(() => undefined);
  }

  // ---- chat, hands, reactions ----

  private onChat(m: ChatMessage): void {
    const mine = m.participantId === this.participantId;
    this.chat.add(m, mine);
    if (!mine && this.openPanel !== 'chat') {
      this.unread++;
      this.buttons.chat.setAttribute('data-badge', String(this.unread));
      this.buttons.chat.setAttribute('aria-label', `Chat (${this.unread} unread)`);
    }
  }

  private toggleHand(): void {
    const raised = this.handRaisedAt === undefined;
    void this.signalling.request('raise-hand', { raised }).catch((e: Error) => this.toast(e.message));
  }

  private syncHandButton(): void {
    const b = this.buttons.hand;
    const up = this.handRaisedAt !== undefined;
    b.setAttribute('aria-pressed', String(up));
    b.textContent = up ? 'Lower hand' : 'Raise hand';
  }

  private syncShareButton(): void {
    const b = this.buttons.share;
    b.setAttribute('aria-pressed', String(!!this.screen));
    b.textContent = this.screen ? 'Stop presenting' : 'Present';
  }

  // ---- the page ----

  private render(): void {
    this.devicePanel = this.settingsPanel();
    this.grid.upsert(SELF, { name: `${this.name} (you)`, audioMuted: false, videoMuted: false }, true);
    this.grid.setTracks(SELF, this.media.video, null);
    this.grid.setAudioOutput(this.media.speakerId);
    const mic = this.toggle('mic', () => this.media.audio);
    const cam = this.toggle('camera', () => this.media.video);
    const share = this.button('share', 'Present', () => void this.toggleShare());
    share.setAttribute('aria-pressed', 'false');
    if (!navigator.mediaDevices?.getDisplayMedia) {
      share.disabled = true;
      share.title = 'This browser cannot share a screen';
    }
    const hand = this.button('hand', 'Raise hand', () => this.toggleHand());
    hand.setAttribute('aria-pressed', 'false');
    const picker = el('div', { className: 'reactions', id: 'reaction-picker', hidden: true, role: 'group' });
    picker.setAttribute('aria-label', 'Reactions');
    for (const emoji of REACTIONS) {
      const b = el('button', { className: 'round', textContent: emoji, onclick: () => {
        picker.hidden = true;
        void this.signalling.request('react', { emoji }).catch((e: Error) => this.toast(e.message));
      } });
      b.setAttribute('aria-label', REACTION_NAMES[emoji] ?? emoji);
      b.dataset.emoji = emoji;
      picker.append(b);
    }
    const react = this.button('react', 'React', () => {
      picker.hidden = !picker.hidden;
      react.setAttribute('aria-expanded', String(!picker.hidden));
    });
    react.setAttribute('aria-expanded', 'false');
    const chat = this.button('chat', 'Chat', () => this.show(this.openPanel === 'chat' ? null : 'chat'));
    const people = this.button('people', 'People', () => this.show(this.openPanel === 'people' ? null : 'people'));
    const settings = this.button('settings', 'Settings', () => this.show(this.openPanel === 'settings' ? null : 'settings'));
    settings.setAttribute('aria-label', 'Settings: camera, microphone and speaker');
    const leave = el('button', { className: 'leave', textContent: 'Leave', id: 'leave', onclick: () => this.end('You left the meeting', '', true) });
    leave.setAttribute('aria-label', 'Leave the meeting');
    this.view = el('section', { className: 'room', id: 'room' },
      el('div', { className: 'room-body' }, this.grid.root, this.chat.root, this.people.root, this.devicePanel),
      this.toasts,
      el('footer', { className: 'controls' },
        el('span', { className: 'code', textContent: this.roomId, title: 'Meeting code' }),
        this.copyLink(), mic, cam, share, hand, el('span', { className: 'react-box' }, react, picker),
        chat, people, settings, this.grid.layoutButton(), leave),
      this.status);
    mount(this.view);
    this.renderPeople();
  }

  private show(panel: Panel | null): void {
    this.openPanel = panel;
    this.chat.root.hidden = panel !== 'chat';
    this.people.root.hidden = panel !== 'people';
    this.devicePanel.hidden = panel !== 'settings';
    this.buttons.settings.setAttribute('aria-pressed', String(panel === 'settings'));
    this.buttons.chat.setAttribute('aria-pressed', String(panel === 'chat'));
    this.buttons.people.setAttribute('aria-pressed', String(panel === 'people'));
    if (panel === 'chat') {
      this.unread = 0;
      this.buttons.chat.setAttribute('data-badge', '');
      this.buttons.chat.setAttribute('aria-label', 'Chat');
      this.chat.focus();
    }
  }

  /** Camera, microphone and speaker, switchable during the meeting without renegotiating. */
  private settingsPanel(): HTMLElement {
    const error = el('p', { className: 'error', id: 'settings-error', hidden: true, role: 'alert' });
    const choice = deviceChoice(
      this.media,
      (kind) => {
        const track = kind === 'audio' ? this.media.audio : this.media.video;
        if (track) void this.publisher?.replace(kind === 'audio' ? 'mic' : 'camera', track);
        if (kind === 'video') this.grid.setTracks(SELF, this.media.video, null);
        this.renderMic();
      },
      (message) => {
        error.hidden = message === null;
        error.textContent = message ?? '';
      },
      () => this.grid.setAudioOutput(this.media.speakerId),
    );
    return panel('settings-panel', 'Settings', () => this.show(null), el('div', { className: 'panel-body' }, choice.root, error));
  }

  private button(id: string, text: string, onclick: () => void): HTMLButtonElement {
    const b = el('button', { className: 'toggle', id: `toggle-${id}`, textContent: text, onclick });
    this.buttons[id] = b;
    return b;
  }

  /** Ctrl/Cmd+D toggles the mic, Ctrl/Cmd+E the camera (as in other meeting apps). */
  private shortcuts(): void {
    document.addEventListener('keydown', (e) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || this.left) return;
      const key = e.key.toLowerCase();
      if (key === 'd' || key === 'e') {
        e.preventDefault();
        (key === 'd' ? this.buttons.mic : this.buttons.camera)?.click();
      }
    });
  }

  private toast(text: string, ...actions: HTMLElement[]): HTMLElement {
    const close = el('button', { className: 'round close', textContent: '×' });
    close.setAttribute('aria-label', 'Dismiss');
    const t = el('div', { className: 'toast' }, el('span', { textContent: text }), ...actions, close);
    close.onclick = () => t.remove();
    for (const a of actions) a.addEventListener('click', () => t.remove());
    this.toasts.append(t);
    if (actions.length === 0) setTimeout(() => t.remove(), 8000);
    return t;
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

  private toggle(what: 'mic' | 'camera', track: () => MediaStreamTrack | null): HTMLButtonElement {
    const b = this.button(what, '', () => {
      const t = track();
      if (t) t.enabled = !t.enabled;
      render();
      void this.sendMediaState();
    });
    const render = () => {
      const t = track();
      b.disabled = !t;
      const on = !!t?.enabled;
      b.textContent = what === 'mic' ? (on ? 'Mute' : 'Unmute') : on ? 'Camera off' : 'Camera on';
      b.setAttribute('aria-pressed', String(!on));
      b.setAttribute('aria-label', what === 'mic' ? (on ? 'Turn off microphone (Ctrl+D)' : 'Turn on microphone (Ctrl+D)') : on ? 'Turn off camera (Ctrl+E)' : 'Turn on camera (Ctrl+E)');
      b.classList.toggle('off', !on);
    };
    if (what === 'mic') this.renderMic = render;
    render();
    return b;
  }

  // ---- stats ----

  /** Every 3 s: each remote tile's connection quality, and our own (what we send). */
  private watchQuality(): void {
    const received = new ReceiveQuality();
    const steady = new Steady();
    this.qualityTimer = setInterval(async () => {
      const sub = await this.subscriber?.pc.getStats().catch(() => undefined);
      if (sub) byParticipant(received.update(sub), this.sections).forEach((q, id) => this.grid.patch(id, { quality: steady.update(id, q) }));
      const pub = await this.publisher?.pc.getStats().catch(() => undefined);
      if (pub) this.grid.patch(SELF, { quality: steady.update(SELF, sendQuality(pub)) });
    }, 3000);
  }

  private async packets(): Promise<Omit<Report, 'remoteVideosPlaying' | 'remoteVideos' | 'status' | 'participantId'>> {
    const r = await this.received();
    let sent = 0;
    const sentLayers = this.publisher?.layers() ?? {};
    (await this.publisher?.pc.getStats())?.forEach((s: { type: string; kind?: string; packetsSent?: number; rid?: string }) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        sent += s.packetsSent ?? 0;
        if (s.rid && sentLayers[s.rid]) sentLayers[s.rid].packets = s.packetsSent ?? 0;
      }
    });
    const local = this.media.stream
      .getTracks()
      .map((t) => `${t.kind}:${t.readyState}${t.enabled ? '' : ':off'}`)
      .join(',');
    const videoIn: Record<string, number> = {};
    const summed = ['framesDecoded', 'packetsLost', 'packetsReceived', 'freezeCount', 'totalFreezesDuration', 'bytesReceived'];
    const audioSummed = ['concealedSamples', 'silentConcealedSamples', 'totalSamplesReceived'];
    (await this.subscriber?.pc.getStats())?.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      const keys = s.kind === 'video' ? summed : s.kind === 'audio' ? audioSummed : [];
      for (const k of keys) {
        const key = s.kind === 'audio' ? `audio.${k}` : k;
        videoIn[key] = (videoIn[key] ?? 0) + Number(s[k] ?? 0);
      }
      if (s.kind === 'video') videoIn.frameHeight = Math.max(videoIn.frameHeight ?? 0, Number(s.frameHeight ?? 0));
    });
    const pausedTiles = document.querySelectorAll('.tile.bandwidth-paused').length;
    return { audioPackets: r.audio, videoPackets: r.video, sentVideoPackets: sent, sentLayers, videoIn, pausedTiles, local, audioEnergy: r.audioEnergy };
  }

  private async sendingStats(): Promise<object[]> {
    const out: object[] = [];
    (await this.publisher?.pc.getStats())?.forEach((s: Record<string, unknown>) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        const { rid, active, frameWidth, framesPerSecond, framesEncoded, bytesSent, totalEncodeTime, qualityLimitationReason, targetBitrate } = s;
        out.push({ rid, active, frameWidth, framesPerSecond, framesEncoded, bytesSent, totalEncodeTime, qualityLimitationReason, targetBitrate });
      }
      if (s.type === 'candidate-pair' && s.nominated) {
        out.push({ availableOutgoingBitrate: s.availableOutgoingBitrate, rtt: s.currentRoundTripTime });
      }
    });
    return out;
  }

  /**
   * Packets received per kind on the subscribe side, and the decoded audio's energy (it grows only
   * while sound is decoded).
   */
  private async received(): Promise<{ audio: number; video: number; audioEnergy: number }> {
    const out = { audio: 0, video: 0, audioEnergy: 0 };
    const stats = await this.subscriber?.pc.getStats();
    stats?.forEach((s: { type: string; kind?: string; packetsReceived?: number; totalAudioEnergy?: number }) => {
      if (s.type !== 'inbound-rtp' || (s.kind !== 'audio' && s.kind !== 'video')) return;
      out[s.kind] += s.packetsReceived ?? 0;
      if (s.kind === 'audio') out.audioEnergy += s.totalAudioEnergy ?? 0;
    });
    return out;
  }
}

/**
 * Whether this browser decodes redundant audio (RFC 2198, `audio/red`): then the server passes on
 * the redundant audio others send, and a lost packet's sound arrives in the next one.
 */
function takesRedundantAudio(): boolean {
  const codecs = globalThis.RTCRtpReceiver?.getCapabilities?.('audio')?.codecs ?? [];
  return codecs.some((c) => c.mimeType.toLowerCase() === 'audio/red');
}
