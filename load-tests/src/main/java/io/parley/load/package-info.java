/** Synthetic WebRTC participants and benchmarks. */
package io.parley.load;
