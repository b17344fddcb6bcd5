// Unit tests of speaker-page.ts: the active speaker is brought onto the first page of a paged grid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promoteSpeaker } from '../target/test/speaker-page.js';

const none = () => false;

test('a speaker already on the first page changes nothing', () => {
  assert.deepEqual(promoteSpeaker(['me', 'a', 'b', 'c'], 'a', 2, new Map(), none), ['me', 'a', 'b', 'c']);
});

test('a speaker on a later page swaps with the first-page tile that spoke longest ago', () => {
  const spoke = new Map([['a', 10], ['b', 5]]);
  const fixed = (id) => id === 'me';
  // Page 1 = me, a, b; page 2 = c, d. b spoke longer ago than a; me never leaves.
  assert.deepEqual(promoteSpeaker(['me', 'a', 'b', 'c', 'd'], 'd', 3, spoke, fixed), ['me', 'a', 'd', 'c', 'b']);
});

test('someone who never spoke goes first, the last such place of the page', () => {
  const spoke = new Map([['a', 10]]);
  assert.deepEqual(promoteSpeaker(['a', 'b', 'c', 'd', 'e'], 'e', 3, spoke, none), ['a', 'b', 'e', 'd', 'c']);
});

test('own tile, screens and pins stay; with nothing else on the page nothing moves', () => {
  const fixed = (id) => id === 'me' || id === 'x:screen';
  assert.deepEqual(promoteSpeaker(['me', 'x:screen', 'a'], 'a', 2, new Map(), fixed), ['me', 'x:screen', 'a']);
});

test('an unknown speaker or no paging changes nothing', () => {
  assert.deepEqual(promoteSpeaker(['a', 'b'], 'z', 1, new Map(), none), ['a', 'b']);
  assert.deepEqual(promoteSpeaker(['a', 'b'], 'b', 0, new Map(), none), ['a', 'b']);
});
