package io.godwit.migrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.migrator.cli.FakeDaemon.Reply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** image list/info/alias/export and publish against a fake daemon: what they send and print. */
class ImageCommandsTest {
    private static final String IMAGE = """
            {"fingerprint": "0123456789abcdef0123", "alias": "app", "aliases": ["app", "app-again"], "sizeBytes": 2048,
             "importedAt": "2026-12-02T10:00:00Z", "config": {"entrypoint": ["/bin/sh", "/app/run.sh"], "cmd": ["hello"],
             "env": ["GREETING=hi"], "workingDir": "/app", "user": "1000:1000"}}""";

    private FakeDaemon daemon;

    @BeforeEach
    void start() throws IOException {
        daemon = new FakeDaemon();
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
    void listShowsEveryAliasAndTheDefaultCommand() {
        daemon.on("GET", "/1.0/images", Reply.json("[" + IMAGE + "]"));
        CliRunner.Result r = godwit("image", "list");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("app, app-again") && r.out().contains("/bin/sh /app/run.sh hello"), r.out());
    }

    @Test
    void infoShowsTheConfigDefaults() {
        daemon.on("GET", "/1.0/images/app", Reply.json(IMAGE));
        CliRunner.Result r = godwit("image", "info", "app");
        assertEquals(0, r.code(), r::toString);
        for (String s : List.of("Aliases:     app, app-again", "Entrypoint:  /bin/sh /app/run.sh", "Cmd:         hello",
                "WorkingDir:  /app", "User:        1000:1000")) {
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
        }
    }

    @Test
    void aliasExportAndPublishSendWhatTheApiTakes() {
        daemon.on("POST", "/1.0/images/app/aliases", Reply.json(IMAGE));
        assertEquals(0, godwit("image", "alias", "add", "app", "app-again").code());
        assertEquals("app-again", daemon.requests.get(0).json().path("alias").asText());

        daemon.on("DELETE", "/1.0/images/app-again/aliases/app-again", Reply.json(IMAGE));
        assertEquals(0, godwit("image", "alias", "remove", "app-again").code());

        daemon.on("POST", "/1.0/images/app/export", Reply.json("{\"path\": \"/tmp/x.tar\", \"bytes\": 10}"));
        CliRunner.Result ex = godwit("image", "export", "app", "/tmp/x.tar");
        assertEquals(0, ex.code(), ex::toString);
        assertEquals("/tmp/x.tar", daemon.requests.get(2).json().path("path").asText());

        daemon.on("POST", "/1.0/containers/c1/publish", Reply.json(IMAGE));
        CliRunner.Result p = godwit("publish", "c1", "--alias", "app");
        assertEquals(0, p.code(), p::toString);
        assertEquals("app", daemon.requests.get(3).json().path("alias").asText());
        assertTrue(p.out().startsWith("Published c1 as app, app-again"), p.out());
        assertEquals(ExitCodes.USAGE, godwit("publish", "c1").code(), "--alias is required");
    }
}
