package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/** {@code godwit list --filter KEY=VALUE...}: every condition must hold. */
record ContainerFilter(List<Condition> conditions) {
    record Condition(String key, String value) {
    }

    static final List<String> KEYS = List.of("name", "status", "image");

    static ContainerFilter parse(List<String> given) {
        List<Condition> conditions = new java.util.ArrayList<>();
        for (String f : given) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--filter wants KEY=VALUE, got '" + f + "'");
            }
            String key = f.substring(0, eq).toLowerCase(Locale.ROOT);
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("--filter " + key + ": no such key (" + String.join(", ", KEYS) + ")");
            }
            conditions.add(new Condition(key, f.substring(eq + 1)));
        }
        return new ContainerFilter(List.copyOf(conditions));
    }

    boolean matches(JsonNode container, ImageNames images) {
        for (Condition c : conditions) {
            boolean ok = switch (c.key()) {
                case "name" -> container.path("name").asText("").contains(c.value());
                case "status" -> container.path("status").asText("").equalsIgnoreCase(c.value());
                case "image" -> images.named(ContainerCommands.ListCmd.imageOf(container), c.value());
                default -> throw new IllegalStateException("unchecked filter key " + c.key());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
