package io.parley.signalling.protocol;

import java.util.List;

/** A participant as others see it. */
public record ParticipantInfo(
    String participantId,
    String name,
    boolean audioMuted,
    boolean videoMuted,
    List<TrackInfo> tracks) {}
