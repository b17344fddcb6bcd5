/**
 * RTCP (RFC 3550, RFC 4585, RFC 5104, REMB, transport-wide congestion control feedback): an
 * iterator over compound packets ({@link io.parley.sfu.rtp.rtcp.RtcpCompound}), one class per
 * packet type with static, allocation-free readers over {@code (buf, offset, length)} of one block
 * and writers that append a block at a buffer's writer index.
 *
 * <p>Readers take the absolute offset and byte length of one block as given by {@link
 * io.parley.sfu.rtp.rtcp.RtcpCompound}; call the type's {@code isValid} first, the other accessors
 * trust it. No reader throws on hostile bytes once {@code isValid} passed.
 */
package io.parley.sfu.rtp.rtcp;
