package io.godwit.migrator.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the facts mean for a user: pure logic over the probe's findings. */
class HostReportTest {
    private static HostFacts facts(String breakpoints, boolean works, boolean uffd, boolean softDirty, long pipe) {
        return new HostFacts("6.18", "boot", works ? "4.1.1" : "", breakpoints, "detail", works,
                works ? null : "criu is missing", uffd, softDirty, true, "nftables", false, "EOPNOTSUPP", pipe, "v2",
                List.of("cpu", "memory", "pids"), 1200, "2026-12-02T00:00:00Z");
    }

    @Test
    void aHostWithoutTrapsStillCheckpointsAndMovesLazily() {
        HostReport r = HostReport.of(facts("not-delivered", true, true, false, 16 << 20));
        assertTrue(r.canCheckpoint());
        assertTrue(r.facts().breakpointsOff());
        assertTrue(r.moveModes().get("lazy").works());
        assertTrue(r.moveModes().get("cold").works());
        assertFalse(r.moveModes().get("precopy").works());
        assertTrue(r.moveModes().get("precopy").why().contains("soft-dirty"), r.moveModes().toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.fact().equals("hardware breakpoints")
                && f.meaning().contains("CRIU_FAULT=130")));
        assertTrue(r.findings().stream().anyMatch(f -> f.fact().equals("established TCP")
                && f.meaning().contains("cannot be checkpointed")));
    }

    @Test
    void aSmallPipeLimitRulesOutLazyMovesAndSaysHowToFixIt() {
        HostReport r = HostReport.of(facts("delivered", true, true, false, 1 << 20));
        assertFalse(r.moveModes().get("lazy").works());
        assertEquals("cold (lazy does not work here)", r.moveModes().get("auto").why());
        assertTrue(r.findings().stream().anyMatch(f -> !f.ok() && f.meaning().contains("sysctl -w fs.pipe-max-size")));
        assertFalse(r.facts().breakpointsOff());
    }

    @Test
    void noCriuMeansNothingWorks() {
        HostReport r = HostReport.of(facts("unknown", false, true, true, 16 << 20));
        assertFalse(r.canCheckpoint());
        r.moveModes().values().forEach(v -> assertFalse(v.works(), v.toString()));
        assertEquals("missing", r.findings().get(0).value());
    }
}
