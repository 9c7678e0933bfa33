package io.godwit.migrator.move;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.transfer.CallReply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a peer sends before any move exists on this daemon: hostile tree names, bad move ids and
 * malformed calls are refused without touching the disk outside the staging directory. (The
 * paths that need CRIU and containers are covered end to end in tests/.)
 */
class IncomingMovesInputTest {
    @TempDir
    Path root;

    private IncomingMoves incoming() throws Exception {
        return new IncomingMoves(null, null, null, null, null, root.resolve("incoming"), "here", null, new PageServers(), null);
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void treesOutsideAnAgreedMoveAreRefused() throws Exception {
        IncomingMoves in = incoming();
        for (String tree : new String[] {"../../etc/images", "0123abcd-0000/../x", "0123abcd-0000/rootfs",
                "0123abcd-0000/passwd", "/abs/images", "images"}) {
            assertThrows(Exception.class, () -> in.treeTarget(tree, "peer"), tree);
        }
        try (var s = Files.list(root.resolve("incoming"))) {
            assertEquals(0, s.count(), "nothing may be created for a refused tree");
        }
    }

    @Test
    void badCallsAreClientErrors() throws Exception {
        IncomingMoves in = incoming();
        CallReply unknown = in.handleCall("move.teleport", json("{}"), "peer");
        assertEquals(404, unknown.status());
        CallReply malformed = in.handleCall(MoveProtocol.RESTORE, json("{not json"), "peer");
        assertEquals(400, malformed.status(), malformed.jsonText());
        CallReply badId = in.handleCall(MoveProtocol.ABORT, json("{\"moveId\": \"../../x\"}"), "peer");
        assertEquals(400, badId.status(), badId.jsonText());
        CallReply notOurs = in.handleCall(MoveProtocol.RESTORE,
                json("{\"moveId\": \"0123abcd-0000\", \"name\": \"web\", \"lazy\": false}"), "peer");
        assertEquals(404, notOurs.status(), notOurs.jsonText());
        assertTrue(notOurs.jsonText().contains("move"), notOurs.jsonText());
    }

    @Test
    void aTunnelGoesOnlyToThePageServerOfferedToThatPeer() throws Exception {
        PageServers offers = new PageServers();
        offers.offer("0123abcd-0000", "target-fp", 4242);
        IncomingMoves in = new IncomingMoves(null, null, null, null, null, root.resolve("incoming"), "here", null, offers, null);
        assertEquals(4242, in.openTunnel("0123abcd-0000", "target-fp").port());
        assertThrows(Exception.class, () -> in.openTunnel("0123abcd-0000", "someone-else"));
        assertThrows(Exception.class, () -> in.openTunnel("0123abcd-9999", "target-fp"));
        offers.withdraw("0123abcd-0000");
        assertThrows(Exception.class, () -> in.openTunnel("0123abcd-0000", "target-fp"));
    }
}
