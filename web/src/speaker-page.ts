// Which tiles a paged grid shows first. When the server names a new active speaker who sits on a
// later page, they swap places with the person on the first page who spoke longest ago (or never),
// as Meet does, so the first page follows the conversation while everyone else stays where they were.

/**
 * The display order after `speaker` became the active speaker, for pages of `perPage` tiles.
 * `lastSpoke` holds when each id was last the active speaker; `fixed` names tiles that never leave
 * the first page this way (your own, a shared screen, a pinned tile). Returns a new array.
 */
export function promoteSpeaker(
  order: readonly string[],
  speaker: string,
  perPage: number,
  lastSpoke: ReadonlyMap<string, number>,
  fixed: (id: string) => boolean,
): string[] {
  const next = [...order];
  const at = order.indexOf(speaker);
  if (at < 0 || perPage <= 0 || at < perPage) return next;
  let out = -1;
  let oldest = Infinity;
  for (let i = 0; i < Math.min(perPage, order.length); i++) {
    if (fixed(order[i])) continue;
    const when = lastSpoke.get(order[i]) ?? -Infinity;
    // Ties (nobody spoke yet) go to the last place of the page, so the page's start stays put.
    if (when <= oldest) {
      oldest = when;
      out = i;
    }
  }
  if (out < 0) return next;
  next[out] = speaker;
  next[at] = order[out];
  return next;
}
