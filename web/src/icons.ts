// Small SVG icons, drawn so the page needs no icon or emoji font. Decorative: the button or label
// that holds one carries the accessible name.

const SVG = 'http://www.w3.org/2000/svg';

const PATHS = {
  mic: 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1a7 7 0 0 0 6-6.9h-2z',
  camera: 'M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11l-4 4z',
  pin: 'M16 3H8v2h1v6l-2 3v2h4v5l1 1 1-1v-5h4v-2l-2-3V5h1V3z',
  hand: 'M21 7a1.5 1.5 0 0 0-3 0v5h-1V4a1.5 1.5 0 0 0-3 0v8h-1V2.5a1.5 1.5 0 0 0-3 0V12H9V5.5a1.5 1.5 0 0 0-3 0v9.7l-2.3-2.3a1.4 1.4 0 0 0-2 2l5.2 5.6A6 6 0 0 0 11.3 22H15a6 6 0 0 0 6-6V7z',
  chevronLeft: 'M15.4 7.4 14 6l-6 6 6 6 1.4-1.4L10.8 12z',
  chevronRight: 'M8.6 7.4 10 6l6 6-6 6-1.4-1.4 4.6-4.6z',
  grid: 'M3 3h8v8H3zm10 0h8v8h-8zM3 13h8v8H3zm10 0h8v8h-8z',
  spotlight: 'M3 3h13v13H3zm15 0h3v4h-3zm0 6h3v4h-3zm0 6h3v4h-3zM3 18h13v3H3z',
  close: 'M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z',
} as const;

export type IconName = keyof typeof PATHS;

/** An icon; `slashed` draws a line across it (a muted mic, a camera that is off). */
export function icon(name: IconName, slashed = false, className = 'icon'): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', PATHS[name]);
  svg.append(path);
  if (slashed) {
    const slash = document.createElementNS(SVG, 'path');
    slash.setAttribute('d', 'M3 3l18 18');
    slash.setAttribute('class', 'slash');
    svg.append(slash);
  }
  return svg;
}

/** Signal bars: 3 lit for good, 2 for fair, 1 for poor. */
export function bars(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 12 12');
  svg.setAttribute('class', 'bars');
  svg.setAttribute('aria-hidden', 'true');
  [
    [1, 8, 2.5, 3],
    [4.75, 5, 2.5, 6],
    [8.5, 1, 2.5, 10],
  ].forEach(([x, y, w, h], i) => {
    const r = document.createElementNS(SVG, 'rect');
    r.setAttribute('x', String(x));
    r.setAttribute('y', String(y));
    r.setAttribute('width', String(w));
    r.setAttribute('height', String(h));
    r.setAttribute('rx', '0.6');
    r.setAttribute('class', `bar bar${i + 1}`);
    svg.append(r);
  });
  return svg;
}
