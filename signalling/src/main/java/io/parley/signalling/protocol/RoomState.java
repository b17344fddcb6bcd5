package io.parley.signalling.protocol;

import java.util.List;

/** A room as a joining participant first sees it. */
public record RoomState(String roomId, List<ParticipantInfo> participants) {}
