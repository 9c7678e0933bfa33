package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code godwit alias add|list|remove}: the user's own short names for command lines, as lxc has. */
@Command(name = "alias", mixinStandardHelpOptions = true,
        description = {"Manage your command aliases (client-side, in aliases.json of ~/.config/godwit).",
                "'godwit alias add ll \"list --all\"' makes 'godwit ll' run 'godwit list --all'; @ARGS@ in the"
                        + " target takes the rest of the command line, else it goes at the end."},
        subcommands = {AliasCommands.Add.class, AliasCommands.ListAliases.class, AliasCommands.Remove.class})
final class AliasCommands extends GroupCommand {

    /** What the alias commands share: the file, and no daemon. */
    abstract static class AliasCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        Aliases aliases() {
            return new Aliases(((GodwitCli) spec.root().userObject()).configDir);
        }

        java.io.PrintWriter out() {
            GodwitCli root = (GodwitCli) spec.root().userObject();
            return root.quiet ? new java.io.PrintWriter(java.io.OutputStream.nullOutputStream())
                    : spec.commandLine().getOut();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add an alias (or change its target).")
    static final class Add extends AliasCommand {
        @Parameters(index = "0", paramLabel = "ALIAS") String name;
        @Parameters(index = "1", paramLabel = "TARGET", description = "The command line it stands for, in quotes.")
        String target;

        @Override
        public Integer call() throws IOException {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw new ParameterException(spec.commandLine(), "alias '" + name
                        + "': letters, digits, '.', '_' and '-' only, not starting with a sign");
            }
            if (GodwitCli.isCommand(name)) { // the tree built for this line holds only "alias"
                throw new ParameterException(spec.commandLine(), "'" + name + "' is a godwit command: an alias"
                        + " cannot hide it");
            }
            try {
                if (Aliases.words(target).isEmpty()) {
                    throw new ParameterException(spec.commandLine(), "TARGET is empty");
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "TARGET: " + e.getMessage());
            }
            Aliases file = aliases();
            Map<String, String> all = file.load();
            all.put(name, target);
            file.save(all);
            out().printf("%s -> godwit %s%n", name, target);
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List your aliases.")
    static final class ListAliases extends AliasCommand {
        @Mixin Format format;

        @Override
        public Integer call() throws IOException {
            Map<String, String> all = aliases().load();
            if (format.json()) {
                ObjectNode o = DaemonClient.json().createObjectNode();
                all.forEach(o::put);
                out().println(Fmt.pretty(o));
            } else {
                Table t = new Table("ALIAS", "TARGET");
                all.forEach((n, target) -> t.row(n, target));
                t.print(out());
            }
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove", aliases = "rm", mixinStandardHelpOptions = true, description = "Remove an alias.")
    static final class Remove extends AliasCommand {
        @Parameters(paramLabel = "ALIAS") String name;

        @Override
        public Integer call() throws IOException {
            Aliases file = aliases();
            Map<String, String> all = file.load();
            if (all.remove(name) == null) {
                throw new CliException(ExitCodes.NOT_FOUND, "no alias '" + name + "' (godwit alias list)");
            }
            file.save(all);
            out().println("Removed alias " + name);
            out().flush();
            return ExitCodes.OK;
        }
    }
}
