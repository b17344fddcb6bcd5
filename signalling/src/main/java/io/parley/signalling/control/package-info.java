/**
 * The control API between signalling and SFU nodes (role {@code signalling} and role {@code sfu}):
 * the {@link io.parley.sfu.api.SfuApi} and its {@link io.parley.sfu.api.SfuListener} events as
 * typed JSON messages over one authenticated WebSocket per (signalling, SFU node).
 *
 * <p>{@link io.parley.signalling.control.ControlProtocol} is the wire format, {@link
 * io.parley.signalling.control.ControlServer} serves an SFU node's API, and {@link
 * io.parley.signalling.control.RemoteSfu} is the {@code SfuApi} signalling uses over it.
 */
package io.parley.signalling.control;
