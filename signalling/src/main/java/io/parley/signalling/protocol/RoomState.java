package io.parley.signalling.protocol;

import java.util.List;

/**
 * A room as a joining participant first sees it.
 *
 * @param participants everyone else, in join order
 * @param chat the recent chat history, oldest first
 */
public record RoomState(
    String roomId,
    List<ParticipantInfo> participants,
    RoomSettings settings,
    List<ServerEvent.ChatMessage> chat) {}
