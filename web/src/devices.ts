// Camera, microphone and speaker: opens what is allowed and present, switches devices, measures
// the mic's level, and remembers the choice on this device.

/** Why the camera or microphone could not be opened; each has its own way forward. */
export type MediaProblem = 'insecure' | 'denied' | 'missing' | 'busy' | 'failed';

export interface LocalMedia {
  /** The tracks being sent (kept current when a device is switched). */
  stream: MediaStream;
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** A message for the person when something is missing, else null. */
  problem: string | null;
  /** What the problem was, to offer the right way forward (Retry, or nothing to do). */
  problemKind: MediaProblem | null;
  /** The devices in use ('' = the browser's default); speakerId is for remote audio (setSinkId). */
  cameraId: string;
  micId: string;
  speakerId: string;
}

export interface Devices { cameras: MediaDeviceInfo[]; mics: MediaDeviceInfo[]; speakers: MediaDeviceInfo[] }

const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
const CHOICE_KEY = 'parley.devices';

interface Choice { cameraId: string; micId: string; speakerId: string }

function remembered(): Choice {
  try {
    const c = JSON.parse(localStorage.getItem(CHOICE_KEY) ?? '{}') as Partial<Choice>;
    return { cameraId: c.cameraId ?? '', micId: c.micId ?? '', speakerId: c.speakerId ?? '' };
  } catch {
    return { cameraId: '', micId: '', speakerId: '' };
  }
}

function remember(media: LocalMedia): void {
  const c: Choice = { cameraId: media.cameraId, micId: media.micId, speakerId: media.speakerId };
  localStorage.setItem(CHOICE_KEY, JSON.stringify(c));
}

// A remembered device is only preferred: if it is gone the browser picks another.
const videoFor = (id: string): MediaTrackConstraints => (id ? { ...VIDEO, deviceId: { ideal: id } } : VIDEO);
const audioFor = (id: string): MediaTrackConstraints | true => (id ? { deviceId: { ideal: id } } : true);

export async function openLocalMedia(): Promise<LocalMedia> {
  const choice = remembered();
  if (!navigator.mediaDevices?.getUserMedia) {
    return wrap(new MediaStream(), 'insecure', choice);
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: audioFor(choice.micId), video: videoFor(choice.cameraId) });
    return wrap(stream, null, choice);
  } catch (both) {
    const results = await Promise.allSettled([
      navigator.mediaDevices.getUserMedia({ audio: audioFor(choice.micId) }),
      navigator.mediaDevices.getUserMedia({ video: videoFor(choice.cameraId) }),
    ]);
    const stream = new MediaStream();
    for (const r of results) if (r.status === 'fulfilled') r.value.getTracks().forEach((t) => stream.addTrack(t));
    const missing = [results[0].status === 'rejected' ? 'microphone' : null, results[1].status === 'rejected' ? 'camera' : null]
      .filter((s): s is string => s !== null);
    if (missing.length === 0) return wrap(stream, null, choice);
    const media = wrap(stream, kindOf(both), choice);
    media.problem = `${describe(media.problemKind!)} Your ${missing.join(' and ')} will be off; you can still join.`;
    return media;
  }
}

function kindOf(e: unknown): MediaProblem {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  return 'failed';
}

function describe(kind: MediaProblem): string {
  switch (kind) {
    case 'insecure':
      return 'This browser cannot use a camera or microphone here (the page needs https or localhost). You can still join and watch.';
    case 'denied':
      return 'Camera or microphone access was denied. Allow it in the address bar (the camera icon), then press Retry.';
    case 'missing':
      return 'No camera or microphone was found. Connect one, then press Retry.';
    case 'busy':
      return 'The camera or microphone is in use by another program. Close it, then press Retry.';
    case 'failed':
      return 'The camera or microphone could not be opened. Press Retry to try again.';
  }
}

function wrap(stream: MediaStream, kind: MediaProblem | null, choice: Choice): LocalMedia {
  const audio = stream.getAudioTracks()[0] ?? null;
  const video = stream.getVideoTracks()[0] ?? null;
  return {
    stream,
    audio,
    video,
    problem: kind ? describe(kind) : null,
    problemKind: kind,
    cameraId: video?.getSettings().deviceId ?? choice.cameraId,
    micId: audio?.getSettings().deviceId ?? choice.micId,
    speakerId: choice.speakerId,
  };
}

/** Stops every track (before opening the devices again, or on leaving). */
export function closeLocalMedia(media: LocalMedia): void {
  media.stream.getTracks().forEach((t) => t.stop());
}

/** The devices present; labels are empty until the page was allowed a camera or microphone. */
export async function listDevices(): Promise<Devices> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  return {
    cameras: all.filter((d) => d.kind === 'videoinput'),
    mics: all.filter((d) => d.kind === 'audioinput'),
    speakers: all.filter((d) => d.kind === 'audiooutput'),
  };
}

/** Whether remote audio can be sent to a chosen speaker (HTMLMediaElement.setSinkId). */
export function canChooseSpeaker(): boolean {
  return 'setSinkId' in HTMLMediaElement.prototype;
}

/**
 * Opens `deviceId` for `kind` in place of the current track: the new track keeps the old one's
 * on/off state and takes its place in media.stream; the old one is stopped. Returns the new track.
 */
export async function switchDevice(media: LocalMedia, kind: 'audio' | 'video', deviceId: string): Promise<MediaStreamTrack> {
  const old = kind === 'audio' ? media.audio : media.video;
  const exact = deviceId ? { deviceId: { exact: deviceId } } : {};
  // Some cameras cannot be open twice: release the old one first, and reopen it if the new one fails.
  old?.stop();
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia(
      kind === 'audio' ? { audio: exact } : { video: { ...VIDEO, ...exact } },
    );
  } catch (e) {
    if (old) await reopen(media, kind, old).catch(() => undefined);
    throw e;
  }
  const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  put(media, kind, old, track);
  const id = track.getSettings().deviceId ?? deviceId;
  if (kind === 'audio') media.micId = id;
  else media.cameraId = id;
  remember(media);
  return track;
}

async function reopen(media: LocalMedia, kind: 'audio' | 'video', old: MediaStreamTrack): Promise<void> {
  const id = old.getSettings().deviceId;
  const c = id ? { deviceId: { exact: id } } : {};
  const s = await navigator.mediaDevices.getUserMedia(kind === 'audio' ? { audio: c } : { video: { ...VIDEO, ...c } });
  put(media, kind, old, s.getTracks()[0]);
}

function put(media: LocalMedia, kind: 'audio' | 'video', old: MediaStreamTrack | null, track: MediaStreamTrack): void {
  if (old) {
    track.enabled = old.enabled;
    media.stream.removeTrack(old);
  }
  media.stream.addTrack(track);
  if (kind === 'audio') media.audio = track;
  else media.video = track;
}

/** Chooses the speaker for remote audio; the Meeting applies media.speakerId to its audio elements. */
export function chooseSpeaker(media: LocalMedia, deviceId: string): void {
  media.speakerId = deviceId;
  remember(media);
}

/**
 * Plays a short two-note chime on `speakerId` ('' = the default output), so a person can hear that
 * the speaker works before and during a meeting. Resolves once it has played; rejects if the
 * browser cannot play on that device.
 */
export async function playTestSound(speakerId: string): Promise<void> {
  const context = new AudioContext();
  try {
    const out = context.createMediaStreamDestination();
    const gain = context.createGain();
    gain.gain.value = 0.2;
    gain.connect(out);
    [660, 880].forEach((frequency, i) => {
      const tone = context.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      const at = context.currentTime + i * 0.3;
      tone.start(at);
      tone.stop(at + 0.25);
    });
    const audio = new Audio();
    audio.srcObject = out.stream;
    const sink = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
    if (speakerId && sink.setSinkId) await sink.setSinkId(speakerId);
    await audio.play();
    await new Promise((r) => setTimeout(r, 700));
    audio.pause();
    audio.srcObject = null;
  } finally {
    void context.close();
  }
}

/**
 * The microphone's level, 0–100, read `onLevel` about 15 times a second from a Web Audio
 * AnalyserNode. A disabled (muted) track reads 0. Returns a function that stops it.
 */
export function watchMicLevel(track: MediaStreamTrack, onLevel: (level: number) => void): () => void {
  const context = new AudioContext();
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  // Autoplay rules may start the context suspended until the first click or key.
  const resume = () => void context.resume();
  resume();
  addEventListener('pointerdown', resume, { once: true });
  addEventListener('keydown', resume, { once: true });
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    // Speech sits around -40..-10 dBFS: map -60 dBFS..0 to 0..100.
    const db = 20 * Math.log10(Math.max(rms, 1e-6));
    onLevel(track.enabled ? Math.round(Math.min(100, Math.max(0, ((db + 60) / 60) * 100))) : 0);
  }, 66);
  return () => {
    clearInterval(timer);
    removeEventListener('pointerdown', resume);
    removeEventListener('keydown', resume);
    source.disconnect();
    void context.close();
  };
}
