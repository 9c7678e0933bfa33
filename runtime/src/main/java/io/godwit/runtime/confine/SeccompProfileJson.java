package io.godwit.runtime.confine;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.runtime.InvalidSpecException;
import io.godwit.runtime.confine.SeccompProfile.Action;
import io.godwit.runtime.confine.SeccompProfile.ArgCondition;
import io.godwit.runtime.confine.SeccompProfile.Rule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a seccomp profile in the JSON format of Docker (defaultAction, archMap, syscalls with
 * names, args, includes/excludes) and of the OCI runtime spec (architectures, defaultErrnoRet).
 * Every error is an InvalidSpecException whose field is the JSON path under {@code base}, e.g.
 * "security.seccompProfile.syscalls[3].action". Unknown fields are errors too: a misspelt
 * "defaultActoin" must not silently give a profile that allows everything.
 */
public final class SeccompProfileJson {
    private static final long EPERM = 1;
    private static final Pattern SYSCALL = Pattern.compile("[a-z0-9_]{1,64}");
    private static final Map<String, String> ACTIONS = Map.of("SCMP_ACT_ALLOW", "allow", "SCMP_ACT_ERRNO", "errno",
            "SCMP_ACT_KILL", "kill_thread", "SCMP_ACT_KILL_THREAD", "kill_thread", "SCMP_ACT_KILL_PROCESS", "kill_process",
            "SCMP_ACT_TRAP", "trap", "SCMP_ACT_LOG", "log", "SCMP_ACT_TRACE", "trace");
    private static final Map<String, String> OPS = Map.of("SCMP_CMP_NE", "ne", "SCMP_CMP_LT", "lt", "SCMP_CMP_LE", "le",
            "SCMP_CMP_EQ", "eq", "SCMP_CMP_GE", "ge", "SCMP_CMP_GT", "gt", "SCMP_CMP_MASKED_EQ", "masked_eq");
    /** libseccomp's names of the architectures the JSON may name. */
    private static final Map<String, String> ARCHES = Map.ofEntries(Map.entry("SCMP_ARCH_X86_64", "x86_64"),
            Map.entry("SCMP_ARCH_X86", "x86"), Map.entry("SCMP_ARCH_X32", "x32"), Map.entry("SCMP_ARCH_AARCH64", "aarch64"),
            Map.entry("SCMP_ARCH_ARM", "arm"), Map.entry("SCMP_ARCH_PPC64LE", "ppc64le"),
            Map.entry("SCMP_ARCH_PPC64", "ppc64"), Map.entry("SCMP_ARCH_PPC", "ppc"), Map.entry("SCMP_ARCH_S390X", "s390x"),
            Map.entry("SCMP_ARCH_S390", "s390"), Map.entry("SCMP_ARCH_RISCV64", "riscv64"),
            Map.entry("SCMP_ARCH_MIPS", "mips"), Map.entry("SCMP_ARCH_MIPS64", "mips64"),
            Map.entry("SCMP_ARCH_MIPSEL", "mipsel"), Map.entry("SCMP_ARCH_MIPSEL64", "mipsel64"),
            Map.entry("SCMP_ARCH_LOONGARCH64", "loongarch64"));
    private static final Set<String> FLAGS = Set.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");

    private SeccompProfileJson() {
    }

    /** The native architecture in libseccomp's naming (the JVM's os.arch). */
    static String nativeArch() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64" -> "aarch64";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> System.getProperty("os.arch");
        };
    }

    public static SeccompProfile parse(JsonNode json, String base) {
        if (json == null || !json.isObject()) {
            throw new InvalidSpecException(base, "a seccomp profile must be a JSON object");
        }
        only(json, base, Set.of("defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls", "flags",
                "listenerPath", "listenerMetadata"));
        if (json.hasNonNull("listenerPath")) {
            throw new InvalidSpecException(base + ".listenerPath", "seccomp user notification is not supported");
        }
        long defaultErrno = json.has("defaultErrnoRet") ? number(json.get("defaultErrnoRet"), base + ".defaultErrnoRet") : EPERM;
        if (!json.has("defaultAction")) {
            throw new InvalidSpecException(base + ".defaultAction", "required");
        }
        Action def = action(json.get("defaultAction"), defaultErrno, base + ".defaultAction");
        for (int i = 0; i < json.path("flags").size(); i++) {
            String f = json.path("flags").get(i).asText();
            if (!FLAGS.contains(f)) {
                throw new InvalidSpecException(base + ".flags[" + i + "]", "unknown seccomp flag '" + f + "'");
            }
        }
        List<Rule> rules = new ArrayList<>();
        JsonNode syscalls = json.path("syscalls");
        if (!syscalls.isMissingNode() && !syscalls.isNull() && !syscalls.isArray()) {
            throw new InvalidSpecException(base + ".syscalls", "must be a list");
        }
        for (int i = 0; i < syscalls.size(); i++) {
            Rule r = rule(syscalls.get(i), base + ".syscalls[" + i + "]");
            if (r != null) {
                rules.add(r);
            }
        }
        return new SeccompProfile(def, List.copyOf(architectures(json, base)), List.copyOf(rules));
    }

    private static Set<String> architectures(JsonNode json, String base) {
        Set<String> out = new LinkedHashSet<>();
        String nat = nativeArch();
        JsonNode list = json.path("architectures");
        for (int i = 0; i < list.size(); i++) {
            out.add(arch(list.get(i), base + ".architectures[" + i + "]"));
        }
        JsonNode map = json.path("archMap");
        for (int i = 0; i < map.size(); i++) {
            String f = base + ".archMap[" + i + "]";
            only(map.get(i), f, Set.of("architecture", "subArchitectures"));
            String main = arch(map.get(i).path("architecture"), f + ".architecture");
            List<String> subs = new ArrayList<>();
            for (int j = 0; j < map.get(i).path("subArchitectures").size(); j++) {
                subs.add(arch(map.get(i).path("subArchitectures").get(j), f + ".subArchitectures[" + j + "]"));
            }
            if (main.equals(nat)) { // Docker's meaning: only the entry of the machine's own architecture counts
                out.add(main);
                out.addAll(subs);
            }
        }
        if (out.isEmpty()) {
            out.add(nat);
        }
        return out;
    }

    private static String arch(JsonNode n, String field) {
        String a = ARCHES.get(n.asText());
        if (!n.isTextual() || a == null) {
            throw new InvalidSpecException(field, "unknown architecture '" + n.asText() + "'");
        }
        return a;
    }

    private static Rule rule(JsonNode s, String f) {
        if (!s.isObject()) {
            throw new InvalidSpecException(f, "must be an object");
        }
        only(s, f, Set.of("names", "name", "action", "errnoRet", "args", "includes", "excludes", "comment"));
        List<String> names = new ArrayList<>();
        if (s.has("name")) {
            names.add(syscall(s.get("name"), f + ".name"));
        }
        for (int i = 0; i < s.path("names").size(); i++) {
            names.add(syscall(s.path("names").get(i), f + ".names[" + i + "]"));
        }
        if (names.isEmpty()) {
            throw new InvalidSpecException(f + ".names", "at least one syscall name is required");
        }
        if (!s.has("action")) {
            throw new InvalidSpecException(f + ".action", "required");
        }
        long ret = s.has("errnoRet") ? number(s.get("errnoRet"), f + ".errnoRet") : EPERM;
        Action action = action(s.get("action"), ret, f + ".action");
        List<ArgCondition> args = new ArrayList<>();
        JsonNode a = s.path("args");
        if (a.size() > 6) {
            throw new InvalidSpecException(f + ".args", "at most 6 argument conditions");
        }
        for (int i = 0; i < a.size(); i++) {
            String af = f + ".args[" + i + "]";
            only(a.get(i), af, Set.of("index", "value", "valueTwo", "op"));
            long index = number(a.get(i).path("index"), af + ".index");
            if (index > 5) {
                throw new InvalidSpecException(af + ".index", "must be 0..5, not " + index);
            }
            String op = OPS.get(a.get(i).path("op").asText());
            if (op == null) {
                throw new InvalidSpecException(af + ".op", "unknown operator '" + a.get(i).path("op").asText() + "'");
            }
            args.add(new ArgCondition((int) index, op, number(a.get(i).path("value"), af + ".value"),
                    a.get(i).has("valueTwo") ? number(a.get(i).get("valueTwo"), af + ".valueTwo") : 0));
        }
        Set<String> incl = caps(s.path("includes"), f + ".includes");
        Set<String> excl = caps(s.path("excludes"), f + ".excludes");
        String minKernel = s.path("includes").hasNonNull("minKernel") ? s.path("includes").get("minKernel").asText() : null;
        if (!archesMatch(s.path("includes").path("arches"), true) || !archesMatch(s.path("excludes").path("arches"), false)) {
            return null; // a rule for another architecture (Docker's arches condition): it does not apply here
        }
        return new Rule(names, action, args, incl, excl, minKernel);
    }

    /** Docker names arches in includes/excludes by Go's names (amd64, arm64, ...). */
    private static boolean archesMatch(JsonNode arches, boolean include) {
        if (!arches.isArray() || arches.isEmpty()) {
            return true;
        }
        String go = switch (nativeArch()) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> nativeArch();
        };
        boolean listed = false;
        for (JsonNode a : arches) {
            listed |= a.asText().equals(go) || a.asText().equals(nativeArch());
        }
        return include == listed;
    }

    private static Set<String> caps(JsonNode cond, String f) {
        if (cond.isMissingNode() || cond.isNull()) {
            return Set.of();
        }
        only(cond, f, Set.of("caps", "arches", "minKernel"));
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < cond.path("caps").size(); i++) {
            out.add(Capabilities.canonical(f + ".caps[" + i + "]", cond.path("caps").get(i).asText()));
        }
        return out;
    }

    private static Action action(JsonNode n, long ret, String field) {
        if (n.isTextual() && n.asText().equals("SCMP_ACT_NOTIFY")) {
            throw new InvalidSpecException(field, "SCMP_ACT_NOTIFY (user notification) is not supported");
        }
        String kind = n.isTextual() ? ACTIONS.get(n.asText()) : null;
        if (kind == null) {
            throw new InvalidSpecException(field, "unknown action '" + n.asText() + "'");
        }
        return new Action(kind, kind.equals("errno") ? ret : kind.equals("trace") ? ret : 0);
    }

    private static String syscall(JsonNode n, String field) {
        if (!n.isTextual() || !SYSCALL.matcher(n.asText()).matches()) {
            throw new InvalidSpecException(field, "not a syscall name: '" + n.asText() + "'");
        }
        return n.asText();
    }

    private static long number(JsonNode n, String field) {
        if (n == null || !n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 0) {
            throw new InvalidSpecException(field, "a non-negative integer is required, got " + n);
        }
        return n.asLong();
    }

    private static void only(JsonNode obj, String base, Set<String> allowed) {
        if (!obj.isObject()) {
            throw new InvalidSpecException(base, "must be an object");
        }
        for (var it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new InvalidSpecException(base + "." + f, "unknown field");
            }
        }
    }
}
