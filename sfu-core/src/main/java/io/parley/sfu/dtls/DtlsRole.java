package io.parley.sfu.dtls;

/** Which side of the DTLS handshake we play (a=setup:passive makes the SFU the SERVER). */
public enum DtlsRole {
  SERVER,
  CLIENT
}
