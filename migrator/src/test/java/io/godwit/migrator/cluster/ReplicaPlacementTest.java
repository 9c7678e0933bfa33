package io.godwit.migrator.cluster;

import static io.godwit.migrator.cluster.PlacementTest.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which member holds a failover container's replicas: the same one while it is fit, else the planner's choice. */
class ReplicaPlacementTest {
    private static final long MIB = 1L << 20;
    private final Member self = member("a", 8000);
    private final Placement.Need need = new Placement.Need("job", 100 * MIB, 200 * MIB);

    @Test
    void theHolderStaysWhileItIsFitEvenWhenAnotherIsEmptier() {
        var a = ReplicaPlacement.choose(self, need, List.of(self, member("b", 1000, 9, List.of("avx", "avx2", "fpu",
                "sse4_2"), Member.READY), member("c", 8000)), "b");
        assertEquals("b", a.target(), a.toString());
    }

    @Test
    void aHolderThatIsGoneOrEvacuatingIsReplacedByThePlannersChoiceNeverTheSourceItself() {
        var a = ReplicaPlacement.choose(self, need, List.of(self, member("c", 8000)), "b");
        assertEquals("c", a.target());
        a = ReplicaPlacement.choose(self, need, List.of(self, member("b", 8000, 0, List.of("avx", "avx2", "fpu", "sse4_2"),
                Member.EVACUATING), member("c", 8000)), "b");
        assertEquals("c", a.target());
        a = ReplicaPlacement.choose(self, need, List.of(self, member("c", 8000)), "a");
        assertEquals("c", a.target());
    }

    @Test
    void aMemberWhoseCpuLacksTheSourcesFeaturesIsNeverChosen() {
        var a = ReplicaPlacement.choose(self, need, List.of(self, member("b", 8000, 0, List.of("fpu"), Member.READY)), "b");
        assertNull(a.target());
        assertTrue(a.why().contains("CPU lacks"), a.why());
    }

    @Test
    void withNoOtherMemberItSaysSo() {
        var a = ReplicaPlacement.choose(self, need, List.of(self), null);
        assertNull(a.target());
        assertTrue(a.why().contains("no member"), a.why());
    }
}
