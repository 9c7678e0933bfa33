package io.godwit.migrator.cli;

import picocli.CommandLine.Option;

/** The {@code --format} option, mixed into every command that prints objects. */
final class Format {
    /** Lower-case constants because picocli shows them to the user as the valid values. */
    enum Kind { table, json }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). "
                    + "json prints the API's JSON unchanged, for scripts.")
    Kind kind = Kind.table;

    boolean json() {
        return kind == Kind.json;
    }
}
