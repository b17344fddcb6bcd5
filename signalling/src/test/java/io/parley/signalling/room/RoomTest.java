package io.parley.signalling.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.protocol.ServerEvent;
import org.junit.jupiter.api.Test;

class RoomTest {
  @Test
  void chatHistoryKeepsTheLatestMessagesOnly() {
    Room room = new Room("abc-defg-hij");
    for (int i = 1; i <= Room.CHAT_HISTORY + 50; i++) {
      room.addChat("pabcdefghi", "Alice", "message " + i, i);
    }
    var chat = room.state(null).chat();
    assertThat(chat).hasSize(Room.CHAT_HISTORY);
    assertThat(chat.get(0).text()).isEqualTo("message 51");
    assertThat(chat.get(chat.size() - 1).text()).isEqualTo("message " + (Room.CHAT_HISTORY + 50));
    assertThat(chat).extracting(ServerEvent.ChatMessage::id).isSorted();
  }

  @Test
  void aRejoinTokenWorksOnceAndOnlyForAWhileAfterItsHolderLeft() {
    Room room = new Room("abc-defg-hij");
    room.issueRejoinToken("t1", person(room, "p1"), 0);
    assertThat(room.redeemRejoinToken("t1", 5).participantId()).isEqualTo("p1");
    assertThat(room.redeemRejoinToken("t1", 6)).isNull();
    room.issueRejoinToken("t2", person(room, "p2"), 0);
    room.expireRejoinToken("t2", 1000);
    assertThat(room.redeemRejoinToken("t2", 1000 + Room.REJOIN_WINDOW_MS + 1)).isNull();
    room.issueRejoinToken("t3", person(room, "p3"), 0);
    room.revokeRejoinToken("t3");
    assertThat(room.redeemRejoinToken("t3", 1)).isNull();
    assertThat(room.redeemRejoinToken(null, 1)).isNull();
  }

  @Test
  void aHostWhoDroppedTakesTheRoleBackOnlyFromTheHeirAndOnlyForAWhile() {
    Room room = new Room("abc-defg-hij");
    Participant alice = person(room, "pa");
    Participant bob = person(room, "pb");
    Participant carol = person(room, "pc");
    assertThat(room.remove(alice, 1000)).isTrue();
    assertThat(room.hostId).isEqualTo("pb");
    assertThat(room.returningHost("pa", 1000 + Room.HOST_RETURN_WINDOW_MS)).isTrue();
    assertThat(room.returningHost("pa", 1001 + Room.HOST_RETURN_WINDOW_MS)).isFalse();
    assertThat(room.returningHost("pc", 1001)).isFalse();
    assertThat(room.returningHost(null, 1001)).isFalse();
    // Bob hands the role to Carol on purpose: Alice's return no longer takes it.
    room.handHostTo(carol.id);
    assertThat(room.returningHost("pa", 1001)).isFalse();
    // Someone who was not host leaving records nothing.
    room.remove(bob, 2000);
    assertThat(room.returningHost("pb", 2001)).isFalse();
  }

  @Test
  void theHostRolePassesToWhoCameFirstAndARejoinKeepsItsPlaceInLine() {
    Room room = new Room("abc-defg-hij");
    Participant alice = person(room, "pa");
    Participant bob = person(room, "pb");
    Participant carol = person(room, "pc");
    // Bob's connection dropped and he came back as pb2, keeping his place ahead of Carol.
    room.remove(bob, 0);
    Participant bobAgain =
        new Participant("pb2", "Bob", room, null, null, "tpb2", false, true, true);
    bobAgain.place = bob.place;
    room.add(bobAgain);
    room.remove(alice, 0);
    assertThat(room.hostId).isEqualTo("pb2");
    room.remove(bobAgain, 0);
    assertThat(room.hostId).isEqualTo(carol.id);
  }

  private static Participant person(Room room, String id) {
    Participant p = new Participant(id, id, room, null, null, "t" + id, false, true, true);
    p.place = room.nextPlace();
    room.add(p);
    return p;
  }

  @Test
  void aTileGetsTheSmallestSimulcastLayerThatFillsIt() {
    assertThat(Subscriber.layerFor(0)).isZero();
    assertThat(Subscriber.layerFor(180)).isZero();
    assertThat(Subscriber.layerFor(360)).isEqualTo(1);
    assertThat(Subscriber.layerFor(401)).isEqualTo(2);
    assertThat(Subscriber.layerFor(1440)).isEqualTo(2);
  }
}
