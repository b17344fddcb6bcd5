/**
 * ICE-lite (RFC 8445 §2.5): the STUN Binding codec the SFU answers connectivity checks with, and
 * the credentials it hands out in its SDP.
 */
package io.parley.sfu.ice;
