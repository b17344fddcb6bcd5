// /r/<room-id>: the prejoin screen (name, preview, devices, mic level, toggles), then the meeting.

import { closeLocalMedia, openLocalMedia, watchMicLevel, type LocalMedia } from '../devices';
import { icon } from '../icons';
import { isRoomId } from '../roomId';
import { Meeting } from '../meeting';
import { deviceChoice } from '../device-choice';
import { reportUrl } from '../report';
import { el, mount } from '../ui';

const NAME_KEY = 'parley.name';

export async function showRoom(roomId: string, params: URLSearchParams): Promise<void> {
  if (!isRoomId(roomId)) {
    mount(
      el(
        'section',
        { className: 'notice', id: 'invalid-room' },
        el('h1', { textContent: 'Invalid meeting code' }),
        el('p', { textContent: `"${roomId}" is not a meeting code. Codes look like abc-defg-hij.` }),
        el('a', { href: '/', textContent: 'Back to the home page' }),
      ),
    );
    return;
  }
  const media = await openLocalMedia();
  const name = params.get('name');
  if (name && params.get('autojoin') === '1') {
    void new Meeting(roomId, name.slice(0, 64), media, reportUrl(params)).start();
    return;
  }
  prejoin(roomId, media, name ?? localStorage.getItem(NAME_KEY) ?? '');
}

function prejoin(roomId: string, media: LocalMedia, name: string): void {
  const stops: (() => void)[] = [];
  const stopAll = () => stops.splice(0).forEach((stop) => stop());

  const preview = el('video', { autoplay: true, muted: true, playsInline: true, className: 'preview mirror', id: 'preview' });
  const cameraOff = el('div', { className: 'preview-off', textContent: 'Camera is off' });
  const showPreview = () => {
    preview.srcObject = media.video ? new MediaStream([media.video]) : null;
    const off = !media.video?.enabled;
    cameraOff.hidden = !off;
    cameraOff.textContent = media.video ? 'Camera is off' : 'No camera';
  };
  showPreview();

  const input = el('input', { value: name, placeholder: 'Your name', maxLength: 64, id: 'name', ariaLabel: 'Your name' });
  const meter = micMeter();
  const restartMeter = () => {
    meter.stop();
    meter.start(media.audio);
  };
  stops.push(() => meter.stop());
  restartMeter();

  const mic = toggle('prejoin-mic', 'Microphone', 'mic', () => media.audio);
  const cam = toggle('prejoin-camera', 'Camera', 'camera', () => media.video, showPreview);
  const join = el('button', { className: 'primary', textContent: 'Join now', id: 'join-now' });
  const error = el('p', { className: 'error', hidden: true, role: 'alert' });
  const problem = el('div', { className: 'problem', hidden: !media.problem });
  if (media.problem) {
    problem.append(el('p', { className: 'warning', id: 'media-problem', textContent: media.problem }));
    if (media.problemKind !== 'insecure') {
      const retry = el('button', { id: 'retry-media', textContent: 'Retry' });
      retry.onclick = async () => {
        retry.disabled = true;
        stopAll();
        closeLocalMedia(media);
        prejoin(roomId, await openLocalMedia(), input.value);
      };
      problem.append(retry);
    }
  }

  const devices = deviceChoice(media, (kind) => {
    if (kind === 'video') showPreview();
    else restartMeter();
    mic.sync();
    cam.sync();
  }, (message) => {
    error.textContent = message;
    error.hidden = message === null;
  });
  stops.push(devices.stop);

  join.onclick = () => {
    const n = input.value.trim();
    if (n.length === 0) {
      error.textContent = 'Please enter your name.';
      error.hidden = false;
      input.focus();
      return;
    }
    localStorage.setItem(NAME_KEY, n);
    stopAll();
    void new Meeting(roomId, n, media).start();
  };
  input.onkeydown = (e) => e.key === 'Enter' && join.click();
  mount(
    el(
      'section',
      { className: 'prejoin' },
      el('div', { className: 'preview-box' }, preview, cameraOff, el('div', { className: 'preview-controls' }, mic.button, cam.button)),
      el(
        'div',
        { className: 'prejoin-side' },
        el('h1', { textContent: 'Ready to join?' }),
        el('p', { className: 'code', textContent: roomId }),
        problem,
        input,
        meter.root,
        devices.root,
        join,
        error,
      ),
    ),
  );
}

/** A live level bar for the microphone (role="meter", so screen readers can read it). */
function micMeter(): { root: HTMLElement; start: (track: MediaStreamTrack | null) => void; stop: () => void } {
  const fill = el('div', { className: 'meter-fill' });
  const root = el('div', { className: 'meter', id: 'mic-level', role: 'meter', ariaLabel: 'Microphone level' }, fill);
  root.setAttribute('aria-valuemin', '0');
  root.setAttribute('aria-valuemax', '100');
  let stop: (() => void) | null = null;
  const show = (level: number) => {
    root.setAttribute('aria-valuenow', String(level));
    fill.style.transform = `scaleX(${level / 100})`;
  };
  show(0);
  return {
    root,
    start(track) {
      if (!track) return;
      try {
        stop = watchMicLevel(track, show);
      } catch {
        root.hidden = true; // no Web Audio: no meter, nothing else is lost
      }
    },
    stop() {
      stop?.();
      stop = null;
      show(0);
    },
  };
}

/**
 * The camera, microphone and speaker selects. Choosing a camera or microphone reopens that track
 * in `media`; the speaker select is shown only where the browser can route audio (setSinkId).
 */
/** A mic or camera on/off button over the preview: aria-pressed is true while it is on. */
function toggle(
  id: string,
  label: string,
  what: 'mic' | 'camera',
  track: () => MediaStreamTrack | null,
  onChange: () => void = () => undefined,
): { button: HTMLButtonElement; sync: () => void } {
  const b = el('button', { className: 'round toggle', id, ariaLabel: label, title: label });
  const sync = () => {
    const t = track();
    const on = !!t && t.enabled;
    b.disabled = !t;
    b.setAttribute('aria-pressed', String(on));
    b.classList.toggle('off', !on);
    b.replaceChildren(icon(what, !on));
  };
  b.onclick = () => {
    const t = track();
    if (t) t.enabled = !t.enabled;
    sync();
    onChange();
  };
  sync();
  return { button: b, sync };
}
