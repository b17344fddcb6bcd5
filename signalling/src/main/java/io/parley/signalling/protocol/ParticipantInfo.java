package io.parley.signalling.protocol;

import java.util.List;

/**
 * A participant as others see it.
 *
 * @param handRaisedAt when its hand went up (server clock, ms), or null
 */
public record ParticipantInfo(
    String participantId,
    String name,
    boolean audioMuted,
    boolean videoMuted,
    Long handRaisedAt,
    List<TrackInfo> tracks) {}
