package io.godwit.migrator.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** godwit alias: the file, the commands, and how a command line is expanded. */
class AliasCommandsTest {
    @TempDir Path config;

    private CliRunner.Result run(String... args) {
        GodwitCli cli = new GodwitCli();
        cli.configDir = config;
        cli.progress = false;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = GodwitCli.execute(cli, new PrintWriter(out), new PrintWriter(err), args);
        return new CliRunner.Result(code, out.toString(), err.toString());
    }

    @Test
    void addListRemove() throws Exception {
        CliRunner.Result add = run("alias", "add", "ll", "list --format json");
        assertEquals(0, add.code(), add::toString);
        assertTrue(add.out().contains("ll -> godwit list --format json"), add::toString);
        assertTrue(Files.readString(config.resolve("aliases.json")).contains("\"ll\""));

        CliRunner.Result list = run("alias", "list");
        assertTrue(list.out().contains("ALIAS") && list.out().contains("list --format json"), list::toString);
        CliRunner.Result json = run("alias", "list", "--format", "json");
        assertEquals("list --format json", DaemonClient.json().readTree(json.out()).path("ll").asText(), json::toString);

        assertEquals(0, run("alias", "remove", "ll").code());
        assertEquals(3, run("alias", "remove", "ll").code(), "removing an alias that is not there is exit 3");
        assertFalse(run("alias", "list").out().contains("ll"));
    }

    @Test
    void anAliasIsExpandedBeforeParsing() {
        assertEquals(0, run("alias", "add", "ver", "version --help").code());
        CliRunner.Result r = run("ver");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("Usage: godwit version"), r::toString);
    }

    @Test
    void aCommandNameOrABadNameIsRefused() {
        CliRunner.Result hide = run("alias", "add", "list", "version");
        assertEquals(2, hide.code(), hide::toString);
        assertTrue(hide.err().contains("is a godwit command"), hide::toString);
        assertEquals(2, run("alias", "add", "-x", "list").code());
        assertEquals(2, run("alias", "add", "q", "list 'open").code());
    }

    @Test
    void expansion() {
        Map<String, String> a = Map.of("ll", "list --all", "sh", "exec -it @ARGS@ -- /bin/sh");
        assertArrayEquals(new String[] {"list", "--all", "-q"}, Aliases.expand(new String[] {"ll", "-q"}, a));
        assertArrayEquals(new String[] {"--socket", "/s", "exec", "-it", "web", "--", "/bin/sh"},
                Aliases.expand(new String[] {"--socket", "/s", "sh", "web"}, a));
        String[] none = {"list", "ll"};
        assertArrayEquals(none, Aliases.expand(none, a), "only the command word is an alias");
        assertEquals(List.of("exec", "x", "--", "sh", "-c", "echo a b"), Aliases.words("exec x -- sh -c 'echo a b'"));
        assertThrows(IllegalArgumentException.class, () -> Aliases.words("a \"b"));
    }
}
