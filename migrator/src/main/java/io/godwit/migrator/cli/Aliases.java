package io.godwit.migrator.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The user's command aliases, as lxc has them: {@code godwit alias add ll "list --all"} makes
 * {@code godwit ll} run {@code godwit list --all}. The target's {@code @ARGS@} takes the rest of the
 * command line; without it the rest goes at the end. Kept in aliases.json of the client's config
 * directory; a client-side thing, the daemon never sees them.
 */
final class Aliases {
    static final String FILE = "aliases.json";
    /** The global options that take a value, which come before a command: their value is not the command. */
    private static final Set<String> GLOBAL_WITH_VALUE = Set.of("--socket", "--remote");

    private final Path file;

    Aliases(Path configDir) {
        this.file = configDir.resolve(FILE);
    }

    /** Name -> target, sorted; empty when the file is not there. */
    Map<String, String> load() throws IOException {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        try {
            return new TreeMap<>(new ObjectMapper().readValue(file.toFile(), new TypeReference<Map<String, String>>() { }));
        } catch (IOException e) {
            throw new IOException("aliases file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    void save(Map<String, String> aliases) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.writeString(tmp, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(aliases) + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    Path file() {
        return file;
    }

    /**
     * The command line with its command expanded when it names an alias; otherwise as it was. The
     * command is the first word after the global options; only one expansion (an alias of an alias
     * is not followed, so no loop is possible).
     */
    static String[] expand(String[] args, Map<String, String> aliases) {
        int i = 0;
        while (i < args.length && args[i].startsWith("-")) {
            i += GLOBAL_WITH_VALUE.contains(args[i]) ? 2 : 1;
        }
        if (i >= args.length || !aliases.containsKey(args[i])) {
            return args;
        }
        List<String> rest = List.of(args).subList(i + 1, args.length);
        List<String> out = new ArrayList<>(List.of(args).subList(0, i));
        boolean placed = false;
        for (String word : words(aliases.get(args[i]))) {
            if (word.equals("@ARGS@")) {
                out.addAll(rest);
                placed = true;
            } else {
                out.add(word);
            }
        }
        if (!placed) {
            out.addAll(rest);
        }
        return out.toArray(String[]::new);
    }

    /** Splits a target into words as a shell would for plain words and '...' or "..." quotes. */
    static List<String> words(String target) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : target.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed " + quote + " in '" + target + "'");
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
