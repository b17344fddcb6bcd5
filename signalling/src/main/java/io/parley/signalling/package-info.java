/** Parley's signalling server: HTTP, Socket.IO, rooms and participants. */
package io.parley.signalling;
