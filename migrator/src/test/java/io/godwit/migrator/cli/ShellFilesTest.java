package io.godwit.migrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Completion and man pages, as scripts/package makes them: one page per command, all readable by man. */
class ShellFilesTest {
    @TempDir Path out;

    @Test
    void everyCommandHasAManPageThatGroffReadsWithoutWarnings() throws Exception {
        ShellFiles.write(out);
        List<String> commands = CliParsingTest.allCommands().map(c -> String.join("-", c)).toList();
        for (String c : commands) {
            Path page = out.resolve("man/man1/" + (c.isEmpty() ? "godwit" : "godwit-" + c) + ".1");
            assertTrue(Files.exists(page), "no man page for '" + c + "'");
        }
        Path daemon = out.resolve("man/man8/godwitd.8");
        assertTrue(Files.readString(daemon).contains("\\-\\-socket"), "godwitd(8) lists --socket");
        String launch = Files.readString(out.resolve("man/man1/godwit-launch.1"));
        assertTrue(launch.contains(".SH OPTIONS") && launch.contains("\\fB\\-\\-memory\\fR \\fISIZE\\fR"), launch);
        if (Files.isExecutable(Path.of("/usr/bin/groff"))) {
            try (var pages = Files.list(out.resolve("man/man1"))) {
                for (Path page : pages.toList()) {
                    Process p = new ProcessBuilder("groff", "-man", "-Tutf8", "-ww", "-z", page.toString())
                            .redirectErrorStream(true).start();
                    String said = new String(p.getInputStream().readAllBytes());
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                    assertEquals("", said, page + " has troff warnings");
                }
            }
        }
    }

    @Test
    void bashCompletionKnowsTheCommandsAndParses() throws Exception {
        ShellFiles.write(out);
        Path bash = out.resolve("bash-completion/godwit");
        String script = Files.readString(bash);
        for (String word : List.of("launch", "checkpoint", "alias", "version", "--format")) {
            assertTrue(script.contains(word), "completion lacks " + word);
        }
        Process p = new ProcessBuilder("bash", "-c", "source \"$0\" && complete -p godwit", bash.toString())
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), said);
        assertTrue(said.contains("godwit"), said);
        assertTrue(Files.readString(out.resolve("zsh/_godwit")).startsWith("#compdef godwit\n"));
    }
}
