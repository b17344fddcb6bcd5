// Unit tests of quality.ts's pure grading, over stats reports shaped like Chromium's.
// Run with `npm test` (bundles src/quality.ts with esbuild first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveQuality, Steady, byParticipant, grade, sendQuality, worst } from '../target/test/quality.js';

const pair = (rtt) => ({ type: 'candidate-pair', id: 'cp', nominated: true, state: 'succeeded', currentRoundTripTime: rtt });
const inbound = (mid, kind, received, lost, extra = {}) =>
  ({ type: 'inbound-rtp', id: `in${mid}`, mid, kind, packetsReceived: received, packetsLost: lost, jitter: 0.005, ...extra });
const report = (...stats) => new Map(stats.map((s) => [s.id, s]));

test('thresholds: loss over 10% or RTT over 400 ms is poor, over 3% or 200 ms fair', () => {
  assert.equal(grade({ loss: 0.01, rtt: 0.05 }), 'good');
  assert.equal(grade({ loss: 0.05, rtt: 0.05 }), 'fair');
  assert.equal(grade({ loss: 0.2, rtt: 0.05 }), 'poor');
  assert.equal(grade({ loss: 0, rtt: 0.25 }), 'fair');
  assert.equal(grade({ loss: 0, rtt: 0.5 }), 'poor');
  assert.equal(grade({}), 'unknown');
  assert.equal(worst('good', 'unknown', 'fair'), 'fair');
});

test('a received track is graded on the loss since the previous report, not since the start', () => {
  const q = new ReceiveQuality();
  assert.equal(q.update(report(pair(0.02), inbound('1', 'video', 1000, 500))).get('1'), 'unknown', 'no previous sample');
  // 500 lost of the first 1500, but none of the next 1000: good now.
  assert.equal(q.update(report(pair(0.02), inbound('1', 'video', 2000, 500))).get('1'), 'good');
  // 100 lost, 900 received: 10% is fair; 200 of 1000 is poor.
  assert.equal(q.update(report(pair(0.02), inbound('1', 'video', 2900, 600))).get('1'), 'fair');
  assert.equal(q.update(report(pair(0.02), inbound('1', 'video', 3700, 800))).get('1'), 'poor');
});

test('a paused track (too few packets) is unknown; a freeze is fair; audio jitter counts', () => {
  const q = new ReceiveQuality();
  q.update(report(inbound('1', 'video', 100, 0, { freezeCount: 0 }), inbound('2', 'audio', 100, 0), inbound('3', 'video', 100, 0)));
  const r = q.update(report(
    inbound('1', 'video', 105, 0, { freezeCount: 0 }),
    inbound('2', 'audio', 200, 0, { jitter: 0.15 }),
    inbound('3', 'video', 300, 0, { freezeCount: 1 }),
  ));
  assert.equal(r.get('1'), 'unknown');
  assert.equal(r.get('2'), 'poor');
  assert.equal(r.get('3'), 'fair');
  const people = byParticipant(r, [{ mid: '1', participantId: 'a' }, { mid: '2', participantId: 'a' }, { mid: '3', participantId: 'b' }]);
  assert.deepEqual([...people], [['a', 'poor'], ['b', 'fair']]);
});

test('what is sent is graded on the receiver reports: fractionLost and roundTripTime', () => {
  const remote = (id, fractionLost, roundTripTime) => ({ type: 'remote-inbound-rtp', id, fractionLost, roundTripTime });
  assert.equal(sendQuality(report(remote('a', 0, 0.03), remote('v', 0.01, 0.03))), 'good');
  assert.equal(sendQuality(report(remote('a', 0, 0.03), remote('v', 0.12, 0.03))), 'poor');
  assert.equal(sendQuality(report(remote('a', 0, 0.3))), 'fair');
  assert.equal(sendQuality(report(pair(0.45))), 'poor', 'without reports, the pair RTT');
  assert.equal(sendQuality(report()), 'unknown');
});

test('a verdict shows once it held for two samples; one bad interval does not flip the indicator', () => {
  const s = new Steady();
  assert.equal(s.update('a', 'good'), 'good');
  assert.equal(s.update('a', 'fair'), 'good');
  assert.equal(s.update('a', 'good'), 'good');
  assert.equal(s.update('a', 'poor'), 'good');
  assert.equal(s.update('a', 'poor'), 'poor');
  assert.equal(s.update('a', 'unknown'), 'unknown');
  assert.equal(s.update('a', 'fair'), 'fair');
  assert.equal(s.update('b', 'poor'), 'poor');
});
