// The home page: start a new meeting, or join one by code or link.

import { newRoomId, parseRoomInput } from '../roomId';
import { el, mount } from '../ui';

export function showHome(): void {
  const code = el('input', { placeholder: 'Enter a code or link', ariaLabel: 'Meeting code or link', id: 'join-code' });
  const error = el('p', { className: 'error', hidden: true, id: 'home-error' });
  const start = el('button', { className: 'primary', id: 'new-meeting', textContent: 'New meeting' });
  const join = el('button', { textContent: 'Join', id: 'join' });
  start.onclick = () => location.assign(`/r/${newRoomId()}`);
  const go = () => {
    const id = parseRoomInput(code.value);
    if (id) location.assign(`/r/${id}`);
    else {
      error.textContent = 'That is not a meeting code. Codes look like abc-defg-hij.';
      error.hidden = false;
    }
  };
  join.onclick = go;
  code.onkeydown = (e) => e.key === 'Enter' && go();
  mount(
    el(
      'section',
      { className: 'home' },
      el('h1', { textContent: 'Parley' }),
      el('p', { textContent: 'Video meetings on your own server.' }),
      el('div', { className: 'row' }, start, code, join),
      error,
      el('p', { className: 'home-links' }, el('a', { href: '/selftest', id: 'selftest-link', textContent: 'Test your connection' })),
    ),
  );
}
