package io.parley.signalling.protocol;

/**
 * What the host controls, as everyone sees it.
 *
 * @param hostId the participant who is host
 * @param locked nobody new may join
 * @param lobby newcomers wait until the host admits them
 * @param passwordSet a password is needed to join (the password itself is never sent)
 */
public record RoomSettings(String hostId, boolean locked, boolean lobby, boolean passwordSet) {}
