package io.godwit.migrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.migrator.cli.FakeDaemon.Reply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** godwit list: images by alias, -q, --filter. */
class ListCommandTest {
    private static final String FP_BUSYBOX = "a".repeat(64);
    private static final String FP_NAMELESS = "0123456789ab" + "c".repeat(52);
    private static final String CONTAINERS = """
            [{"name": "web", "status": "RUNNING", "pid": 42, "image": "%s", "createdAt": "2025-01-02T03:04:05Z"},
             {"name": "job", "status": "STOPPED", "pid": 0, "image": "%s", "createdAt": "2025-01-02T03:04:05Z"},
             {"name": "web-2", "status": "STOPPED", "pid": 0, "image": "%s", "createdAt": "2025-01-02T03:04:05Z"}]"""
            .formatted(FP_BUSYBOX, FP_NAMELESS, FP_BUSYBOX);
    private static final String IMAGES = """
            [{"fingerprint": "%s", "aliases": ["busybox", "bb"]}, {"fingerprint": "%s", "aliases": []}]"""
            .formatted(FP_BUSYBOX, FP_NAMELESS);

    private FakeDaemon daemon;

    @BeforeEach
    void start() throws IOException {
        daemon = new FakeDaemon();
        daemon.on("GET", "/1.0/containers", Reply.json(CONTAINERS));
        daemon.on("GET", "/1.0/images", Reply.json(IMAGES));
    }

    @AfterEach
    void stop() throws IOException {
        daemon.close();
    }

    private CliRunner.Result godwit(String... args) {
        List<String> all = new ArrayList<>(List.of("--socket", daemon.socket().toString()));
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    @Test
    void theImageColumnShowsTheAliasNotTheFingerprint() {
        CliRunner.Result r = godwit("list");
        assertEquals(0, r.code(), r::toString);
        assertFalse(r.out().contains(FP_BUSYBOX), r.out());
        String web = r.out().lines().filter(l -> l.startsWith("web ")).findFirst().orElseThrow();
        assertTrue(web.contains(" busybox "), web);
        String job = r.out().lines().filter(l -> l.startsWith("job ")).findFirst().orElseThrow();
        assertTrue(job.contains(" 0123456789ab "), "no alias: the short fingerprint: " + job);
    }

    @Test
    void quietListsTheNamesAlone() {
        CliRunner.Result r = godwit("list", "-q");
        assertEquals(0, r.code(), r::toString);
        assertEquals("web\njob\nweb-2\n", r.out());
    }

    @Test
    void filtersMustAllHold() throws IOException {
        assertEquals("job\nweb-2\n", godwit("list", "-q", "--filter", "status=stopped").out());
        assertEquals("web\nweb-2\n", godwit("list", "-q", "--filter", "image=bb").out());
        assertEquals("web-2\n", godwit("list", "-q", "--filter", "image=busybox", "--filter", "status=STOPPED").out());
        assertEquals("web\nweb-2\n", godwit("list", "-q", "--filter", "name=web").out());
        assertEquals("job\n", godwit("list", "-q", "--filter", "image=0123").out());
        CliRunner.Result json = godwit("list", "--format", "json", "--filter", "name=job");
        assertEquals(1, DaemonClient.json().readTree(json.out()).size(), json::toString);
    }

    @Test
    void aFilterThatIsNotOneIsAUsageError() {
        CliRunner.Result bad = godwit("list", "--filter", "colour=red");
        assertEquals(2, bad.code(), bad::toString);
        assertTrue(bad.err().contains("no such key"), bad::toString);
        assertEquals(2, godwit("list", "--filter", "status").code());
    }
}
