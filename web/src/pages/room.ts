// /r/<room-id>: the prejoin screen (name, preview, toggles), then the meeting.

import { openLocalMedia, type LocalMedia } from '../devices';
import { isRoomId } from '../roomId';
import { Meeting } from '../meeting';
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
  const preview = el('video', { autoplay: true, muted: true, playsInline: true, className: 'preview mirror' });
  preview.srcObject = media.stream;
  const input = el('input', { value: name, placeholder: 'Your name', maxLength: 64, id: 'name', ariaLabel: 'Your name' });
  const mic = toggle('Mic', media.audio);
  const cam = toggle('Camera', media.video);
  const join = el('button', { className: 'primary', textContent: 'Join now', id: 'join-now' });
  const error = el('p', { className: 'error', hidden: true });
  const problem = el('p', { className: 'warning', hidden: !media.problem, textContent: media.problem ?? '' });
  join.onclick = () => {
    const n = input.value.trim();
    if (n.length === 0) {
      error.textContent = 'Please enter your name.';
      error.hidden = false;
      return;
    }
    localStorage.setItem(NAME_KEY, n);
    void new Meeting(roomId, n, media).start();
  };
  input.onkeydown = (e) => e.key === 'Enter' && join.click();
  mount(
    el(
      'section',
      { className: 'prejoin' },
      el('div', { className: 'preview-box' }, preview),
      el(
        'div',
        { className: 'prejoin-side' },
        el('h1', { textContent: 'Ready to join?' }),
        el('p', { className: 'code', textContent: roomId }),
        problem,
        input,
        el('div', { className: 'row' }, mic, cam),
        join,
        error,
      ),
    ),
  );
}

function toggle(label: string, track: MediaStreamTrack | null): HTMLButtonElement {
  const b = el('button', { className: 'toggle', disabled: !track });
  const render = () => {
    const on = !!track && track.enabled;
    b.textContent = `${label} ${on ? 'on' : 'off'}`;
    b.classList.toggle('off', !on);
  };
  b.onclick = () => {
    if (track) track.enabled = !track.enabled;
    render();
  };
  render();
  return b;
}
