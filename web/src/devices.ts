// Camera and microphone: asks for both, falls back to what is allowed and present.

export interface LocalMedia {
  stream: MediaStream;
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** A message for the person when something is missing, else null. */
  problem: string | null;
}

const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

export async function openLocalMedia(): Promise<LocalMedia> {
  if (!navigator.mediaDevices?.getUserMedia) {
    return none('This browser cannot use a camera or microphone here (the page needs https or localhost). You can still join and watch.');
  }
  try {
    return wrap(await navigator.mediaDevices.getUserMedia({ audio: true, video: VIDEO }), null);
  } catch (both) {
    const results = await Promise.allSettled([
      navigator.mediaDevices.getUserMedia({ audio: true }),
      navigator.mediaDevices.getUserMedia({ video: VIDEO }),
    ]);
    const stream = new MediaStream();
    for (const r of results) if (r.status === 'fulfilled') r.value.getTracks().forEach((t) => stream.addTrack(t));
    const missing = [results[0].status === 'rejected' ? 'microphone' : null, results[1].status === 'rejected' ? 'camera' : null]
      .filter(Boolean)
      .join(' and ');
    return wrap(stream, `${describe(both)} Your ${missing} will be off; you can still join.`);
  }
}

function describe(e: unknown): string {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'Camera or microphone access was denied.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera or microphone was found.';
  if (name === 'NotReadableError') return 'The camera or microphone is in use by another program.';
  return 'The camera or microphone could not be opened.';
}

function wrap(stream: MediaStream, problem: string | null): LocalMedia {
  return { stream, audio: stream.getAudioTracks()[0] ?? null, video: stream.getVideoTracks()[0] ?? null, problem };
}

function none(problem: string): LocalMedia {
  return wrap(new MediaStream(), problem);
}
