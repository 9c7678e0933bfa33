package io.godwit.migrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The placement planner, on members made up here: pure logic, no etcd. */
class PlacementTest {
    private static final long MIB = 1L << 20;
    private static final List<String> FLAGS = List.of("avx", "avx2", "fpu", "sse4_2");

    static Member member(String name, long freeMib, int containers, List<String> flags, String state) {
        Capacity c = new Capacity(64_000 * MIB, freeMib * MIB, 100_000 * MIB, "cpu", flags, 8, "4.1.1", true, true,
                "delivered");
        return new Member(name, "10.0.0." + name.length() + ":8443", "fp-" + name, c, Map.of(), state, containers, "0.1.0");
    }

    static Member member(String name, long freeMib) {
        return member(name, freeMib, 0, FLAGS, Member.READY);
    }

    static Placement.Need need(String name, long mib) {
        return new Placement.Need(name, mib * MIB, mib * MIB);
    }

    private static Map<String, String> targets(List<Placement.Assignment> plan) {
        Map<String, String> out = new HashMap<>();
        plan.forEach(a -> out.put(a.container(), a.target()));
        return out;
    }

    @Test
    void spreadsContainersOverTheMembersThatFitAndNeverPicksTheSource() {
        Member src = member("src", 8000);
        List<Placement.Assignment> plan = Placement.plan(src,
                List.of(need("a", 100), need("b", 100), need("c", 100), need("d", 100)),
                List.of(src, member("m1", 8000), member("m2", 8000)));
        Map<String, String> t = targets(plan);
        assertEquals(2, t.values().stream().filter("m1"::equals).count(), plan.toString());
        assertEquals(2, t.values().stream().filter("m2"::equals).count(), plan.toString());
        assertEquals(List.of("a", "b", "c", "d"), plan.stream().map(Placement.Assignment::container).toList());
    }

    @Test
    void aMemberThatAlreadyRunsMoreGetsFewer() {
        Member src = member("src", 8000);
        List<Placement.Assignment> plan = Placement.plan(src, List.of(need("a", 10), need("b", 10), need("c", 10)),
                List.of(member("busy", 8000, 5, FLAGS, Member.READY), member("idle", 8000, 0, FLAGS, Member.READY)));
        assertEquals(List.of("idle", "idle", "idle"), plan.stream().map(Placement.Assignment::target).toList());
    }

    @Test
    void memoryMustFitBeyondTheHeadroomCountingWhatThePlanAlreadySentThere() {
        Member src = member("src", 8000);
        // 1256 MiB free = 1000 MiB usable: one 600 MiB container fits, a second does not
        List<Placement.Assignment> plan = Placement.plan(src, List.of(need("x", 600), need("y", 600)),
                List.of(member("small", 1256)));
        assertEquals(1, plan.stream().filter(Placement.Assignment::placed).count(), plan.toString());
        Placement.Assignment left = plan.stream().filter(a -> !a.placed()).findFirst().orElseThrow();
        assertTrue(left.why().contains("600 MiB of memory"), left.why());
    }

    @Test
    void biggestContainersChooseFirst() {
        Member src = member("src", 8000);
        // room for the big one only on "roomy"; placed first, it gets there, and the small one goes elsewhere
        List<Placement.Assignment> plan = Placement.plan(src, List.of(need("small", 100), need("big", 3000)),
                List.of(member("roomy", 3500), member("tight", 1000)));
        Map<String, String> t = targets(plan);
        assertEquals("roomy", t.get("big"));
        assertEquals("tight", t.get("small"));
    }

    @Test
    void membersThatAreNotReadyOrLackCpuFeaturesOrCriuAreLeftOut() {
        Member src = member("src", 8000, 0, List.of("avx512f", "fpu"), Member.READY);
        Member noAvx512 = member("old", 8000, 0, FLAGS, Member.READY);
        Member evacuating = member("maint", 8000, 0, List.of("avx512f", "fpu"), Member.EVACUATING);
        Capacity broken = new Capacity(1, 8000 * MIB, 100_000 * MIB, "cpu", List.of("avx512f", "fpu"), 8, "4.1.1", false,
                false, "delivered");
        Member noCriu = new Member("nocriu", "10.0.0.9:8443", "fp", broken, Map.of(), Member.READY, 0, "0.1.0");
        List<Placement.Assignment> plan = Placement.plan(src, List.of(need("a", 10)), List.of(noAvx512, evacuating, noCriu));
        Placement.Assignment a = plan.get(0);
        assertFalse(a.placed());
        assertNull(a.target());
        assertTrue(a.why().contains("old: its CPU lacks avx512f"), a.why());
        assertTrue(a.why().contains("maint: it is evacuating"), a.why());
        assertTrue(a.why().contains("nocriu: CRIU does not work there"), a.why());

        Member newer = member("new", 8000, 0, List.of("avx512f", "avx2", "fpu"), Member.READY);
        assertEquals("new", Placement.plan(src, List.of(need("a", 10)), List.of(noAvx512, newer)).get(0).target());
    }

    @Test
    void aMemberWithoutATlsPortCannotTakeMoves() {
        Member src = member("src", 8000);
        Member deaf = new Member("deaf", null, "fp", member("x", 8000).capacity(), Map.of(), Member.READY, 0, "0.1.0");
        Placement.Assignment a = Placement.plan(src, List.of(need("a", 10)), List.of(deaf)).get(0);
        assertFalse(a.placed());
        assertTrue(a.why().contains("does not listen"), a.why());
    }

    @Test
    void diskMustFitToo() {
        Member src = member("src", 8000);
        Capacity c = new Capacity(64_000 * MIB, 8000 * MIB, 600 * MIB, "cpu", FLAGS, 8, "4.1.1", true, true, "delivered");
        Member smallDisk = new Member("disk", "10.0.0.1:8443", "fp", c, Map.of(), Member.READY, 0, "0.1.0");
        Placement.Assignment a = Placement.plan(src, List.of(need("a", 200)), List.of(smallDisk)).get(0);
        assertFalse(a.placed());
        assertTrue(a.why().contains("of disk"), a.why());
    }

    @Test
    void evacuationModesFallBackLiveThenColdThenStop() {
        assertEquals(List.of("lazy", "cold", "stop"), EvacuationMode.AUTO.steps(true, true));
        assertEquals(List.of("cold", "stop"), EvacuationMode.AUTO.steps(false, true));
        assertEquals(List.of("lazy", "cold", "stop"), EvacuationMode.LIVE.steps(false, true));
        assertEquals(List.of("cold", "stop"), EvacuationMode.COLD.steps(true, true));
        assertEquals(List.of("stop"), EvacuationMode.STOP.steps(true, true));
        assertEquals(List.of("stop"), EvacuationMode.AUTO.steps(true, false), "no target: its state is kept here");
    }
}
