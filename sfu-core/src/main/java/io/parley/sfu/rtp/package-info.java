/**
 * Zero-copy views of RTP packets over Netty {@link io.netty.buffer.ByteBuf}s: RFC 7983
 * demultiplexing, the RTP header and its extensions (RFC 3550, RFC 8285), a writer for outgoing
 * headers, and the VP8 payload descriptor (RFC 7741). RTCP lives in {@code io.parley.sfu.rtp.rtcp}.
 *
 * <p>Every reader uses absolute indices and never moves a buffer's reader or writer index unless
 * its documentation says so. Readers never throw on hostile input: they return {@code false} or
 * {@code -1}.
 */
package io.parley.sfu.rtp;
