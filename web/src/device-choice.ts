// The camera, microphone and speaker selects: on the prejoin page and in the meeting's settings.

import { canChooseSpeaker, chooseSpeaker, listDevices, playTestSound, switchDevice, type LocalMedia } from './devices';
import { el } from './ui';

/** The camera, microphone and speaker selects, for the prejoin page and the meeting's settings. */
export function deviceChoice(
  media: LocalMedia,
  onSwitched: (kind: 'audio' | 'video') => void,
  onError: (message: string | null) => void,
  onSpeaker: () => void = () => undefined,
): { root: HTMLElement; stop: () => void } {
  const camera = el('select', { id: 'camera-select' });
  const micSelect = el('select', { id: 'mic-select' });
  const speaker = el('select', { id: 'speaker-select' });
  const field = (label: string, select: HTMLSelectElement) =>
    el('label', { className: 'field' }, el('span', { textContent: label }), select);
  const speakerField = field('Speaker', speaker);
  speakerField.hidden = true;
  // A chime on the chosen speaker (or the default one where the browser cannot choose).
  const testSound = el('button', { id: 'test-speaker', className: 'small', type: 'button', textContent: 'Test speaker' });
  testSound.setAttribute('aria-label', 'Play a test sound on the speaker');
  testSound.onclick = async () => {
    testSound.disabled = true;
    testSound.textContent = 'Playing…';
    try {
      await playTestSound(media.speakerId);
      testSound.dataset.played = String(Number(testSound.dataset.played ?? '0') + 1);
      onError(null);
    } catch (e) {
      onError(`Could not play a sound on that speaker: ${(e as Error).message}. Choose another one, or check the system's sound settings.`);
    } finally {
      testSound.disabled = false;
      testSound.textContent = 'Test speaker';
    }
  };
  const root = el('div', { className: 'devices' }, field('Camera', camera), field('Microphone', micSelect), speakerField, testSound);

  const fill = (select: HTMLSelectElement, list: MediaDeviceInfo[], current: string, what: string) => {
    const options = list.map((d, i) => el('option', { value: d.deviceId, textContent: d.label || `${what} ${i + 1}` }));
    if (options.length === 0) options.push(el('option', { value: '', textContent: `No ${what.toLowerCase()} found` }));
    select.replaceChildren(...options);
    select.disabled = list.length === 0;
    if (list.some((d) => d.deviceId === current)) select.value = current;
  };
  const refresh = async () => {
    const d = await listDevices();
    fill(camera, d.cameras, media.cameraId, 'Camera');
    fill(micSelect, d.mics, media.micId, 'Microphone');
    fill(speaker, d.speakers, media.speakerId, 'Speaker');
    speakerField.hidden = !canChooseSpeaker() || d.speakers.length === 0;
  };
  const switchTo = (kind: 'audio' | 'video', select: HTMLSelectElement) => async () => {
    select.disabled = true;
    try {
      await switchDevice(media, kind, select.value);
      onError(null);
    } catch (e) {
      onError(`Could not open that ${kind === 'audio' ? 'microphone' : 'camera'}: ${(e as Error).message}`);
    } finally {
      select.disabled = false;
      onSwitched(kind);
      void refresh();
    }
  };
  camera.onchange = switchTo('video', camera);
  micSelect.onchange = switchTo('audio', micSelect);
  speaker.onchange = () => {
    chooseSpeaker(media, speaker.value);
    onSpeaker();
  };
  navigator.mediaDevices?.addEventListener?.('devicechange', refresh);
  void refresh();
  return { root, stop: () => navigator.mediaDevices?.removeEventListener?.('devicechange', refresh) };
}
