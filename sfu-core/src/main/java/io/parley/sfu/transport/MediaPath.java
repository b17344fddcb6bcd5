package io.parley.sfu.transport;

/**
 * One way to reach a browser, learnt from a valid ICE check: a UDP address on the media port, or
 * one ICE-TCP connection. An endpoint keeps the paths that passed checks and sends media on the one
 * the browser nominated.
 */
public sealed interface MediaPath permits UdpPath, TcpConnection {}
