package io.godwit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Picking a user namespace's host range: the subuid/subgid entry of "godwit", slots of 65536, taken ones skipped. */
class UsernsRangesTest {
    @TempDir
    Path dir;

    @Test
    void slotsOfTheGodwitEntrySkippingTakenOnes() throws Exception {
        Path subuid = Files.writeString(dir.resolve("subuid"), "alice:100000:65536\ngodwit:200000:196608\n");
        Path subgid = Files.writeString(dir.resolve("subgid"), "godwit:300000:196608\n");
        assertEquals(new UserNamespace(200000L, 300000L, 65536L), UsernsRanges.allocate(subuid, subgid, List.of()));
        assertEquals(new UserNamespace(265536L, 365536L, 65536L),
                UsernsRanges.allocate(subuid, subgid, List.of(200000L)));
        IOException full = assertThrows(IOException.class,
                () -> UsernsRanges.allocate(subuid, subgid, List.of(200000L, 265536L, 331072L)));
        assertTrue(full.getMessage().contains("no free user namespace range"), full.getMessage());
    }

    @Test
    void withoutAnEntryTheDefaultRangeAndTheShiftIsIdempotent() throws Exception {
        UserNamespace ns = UsernsRanges.allocate(dir.resolve("none"), dir.resolve("none"), List.of());
        assertEquals(new UserNamespace(UsernsRanges.DEFAULT_START, UsernsRanges.DEFAULT_START, 65536L), ns);
        assertEquals(UsernsRanges.DEFAULT_START + 5, ns.toHost(5, true));
        assertEquals(UsernsRanges.DEFAULT_START + 5, ns.toHost(UsernsRanges.DEFAULT_START + 5, true), "already shifted");
        assertThrows(InvalidSpecException.class, () -> new UserNamespace(0L, 1L, 10L).validate(), "host root never mapped");
        assertThrows(InvalidSpecException.class, () -> new UserNamespace(5L, null, null).validate());
    }
}
