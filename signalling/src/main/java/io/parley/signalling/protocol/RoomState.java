package io.parley.signalling.protocol;

import java.util.List;

/**
 * A room as a joining participant first sees it.
 *
 * @param participants everyone else, in join order
 * @param chat the recent chat history, oldest first
 * @param dominantSpeaker who the server last named dominant speaker, if still here; null if nobody
 *     (without it, a newcomer would not see who is talking until the next change of speaker)
 */
public record RoomState(
    String roomId,
    List<ParticipantInfo> participants,
    RoomSettings settings,
    List<ServerEvent.ChatMessage> chat,
    String dominantSpeaker) {}
