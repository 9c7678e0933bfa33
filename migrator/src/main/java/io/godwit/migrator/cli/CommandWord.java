package io.godwit.migrator.cli;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The word of a command line that names its top-level command ({@code list} in
 * {@code godwit --socket S list -a}), found without building picocli's model: the CLI builds
 * only that command's part of the tree.
 */
final class CommandWord {
    /** The top-level options that take a value, as {@code --socket PATH}: their value is not a command. */
    private static final Set<String> TAKE_A_VALUE = Stream.of(GodwitCli.class.getDeclaredFields())
            .filter(f -> f.isAnnotationPresent(Option.class) && !isFlag(f))
            .flatMap(f -> Stream.of(f.getAnnotation(Option.class).names()))
            .collect(Collectors.toUnmodifiableSet());

    private CommandWord() {
    }

    /** The first word that is neither an option nor an option's value; empty when there is none. */
    static Optional<String> of(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return i + 1 < args.length ? Optional.of(args[i + 1]) : Optional.empty();
            }
            if (!a.startsWith("-")) {
                return Optional.of(a);
            }
            if (TAKE_A_VALUE.contains(a)) {
                i++; // "--socket PATH": PATH is the option's, not a command
            }
        }
        return Optional.empty();
    }

    /** The name and aliases a command class answers to, from its {@code @Command}. */
    static List<String> names(Class<?> command) {
        Command c = command.getAnnotation(Command.class);
        List<String> names = new ArrayList<>();
        if (c != null) {
            names.add(c.name());
            names.addAll(List.of(c.aliases()));
        }
        return names;
    }

    private static boolean isFlag(Field f) {
        return f.getType() == boolean.class || f.getType() == Boolean.class;
    }
}
