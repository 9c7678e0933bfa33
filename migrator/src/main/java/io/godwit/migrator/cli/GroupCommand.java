package io.godwit.migrator.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands: given alone, it is a usage error (exit 2). */
abstract class GroupCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: "
                + String.join(", ", spec.subcommands().values().stream()
                        .map(c -> c.getCommandName()).distinct().toList()));
    }
}
