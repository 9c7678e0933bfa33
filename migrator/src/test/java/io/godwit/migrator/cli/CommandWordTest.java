package io.godwit.migrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CLI builds only the command a line names, and the whole tree when it names none. */
class CommandWordTest {
    @Test
    void theCommandIsTheFirstWordThatIsNoOptionsValue() {
        assertEquals(Optional.of("list"), CommandWord.of("list", "-a"));
        assertEquals(Optional.of("list"), CommandWord.of("--socket", "/tmp/x.sock", "list"));
        assertEquals(Optional.of("image"), CommandWord.of("--remote", "hostb", "--debug", "image", "list"));
        assertEquals(Optional.of("list"), CommandWord.of("--socket=/tmp/list", "list"));
        assertEquals(Optional.of("move"), CommandWord.of("-q", "--", "move", "c1", "b:"));
        assertEquals(Optional.empty(), CommandWord.of("--help"));
        assertEquals(Optional.empty(), CommandWord.of("--socket", "list"));
    }

    @Test
    void aNamedCommandIsBuiltAloneAndItsAliasesWork() {
        assertEquals(Set.of("list"), GodwitCli.commandLine(new GodwitCli(), "list").getSubcommands().keySet()
                .stream().filter(n -> !n.equals("ls")).collect(java.util.stream.Collectors.toSet()));
        assertTrue(GodwitCli.commandLine(new GodwitCli(), "ls").getSubcommands().containsKey("list"));
        assertEquals(1, GodwitCli.commandLine(new GodwitCli(), "checkpoint", "c1").getCommandSpec().subcommands()
                .values().stream().distinct().count());
    }

    @Test
    void withoutACommandOrWithAnUnknownOneTheWholeTreeIsBuilt() {
        int all = GodwitCli.SUBCOMMANDS.size();
        assertEquals(all, distinctCommands(GodwitCli.commandLine(new GodwitCli(), "--help")));
        assertEquals(all, distinctCommands(GodwitCli.commandLine(new GodwitCli(), "lst")));
    }

    @Test
    void aTypoStillGetsItsSuggestion() {
        CliRunner.Result r = CliRunner.run(false, "lisst");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("Did you mean: godwit list"), r.err());
    }

    private static long distinctCommands(picocli.CommandLine cl) {
        return cl.getSubcommands().values().stream().map(c -> c.getCommandSpec().userObject().getClass()).distinct().count();
    }
}
