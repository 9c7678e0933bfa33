package io.godwit.migrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Parsing only: no daemon is reached (the socket does not exist, which would show as exit 5). */
class CliParsingTest {
    private static final String NO_SOCKET = "/nonexistent/godwit-test.sock";

    /** Every command path, e.g. [image, import], found by walking picocli's model. */
    static Stream<List<String>> allCommands() {
        List<List<String>> all = new ArrayList<>();
        walk(GodwitCli.commandLine(new GodwitCli()), new ArrayList<>(), all);
        return all.stream();
    }

    private static void walk(CommandLine cl, List<String> prefix, List<List<String>> out) {
        out.add(List.copyOf(prefix));
        cl.getSubcommands().forEach((name, sub) -> {
            // aliases map to the same command; visit each command once under its own name
            if (name.equals(sub.getCommandName())) {
                List<String> p = new ArrayList<>(prefix);
                p.add(name);
                walk(sub, p, out);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("allCommands")
    void helpWorksEverywhere(List<String> command) {
        List<String> args = new ArrayList<>(command);
        args.add("--help");
        CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("Usage: godwit"), r::toString);
    }

    @Test
    void everyCommandOfTheBriefExists() {
        List<String> names = allCommands().map(c -> String.join(" ", c)).toList();
        for (String c : List.of("image import", "image list", "image delete", "launch", "list", "info", "logs",
                "exec", "stop", "kill", "pause", "resume", "start", "delete", "checkpoint", "checkpoint delete",
                "checkpoint schedule", "checkpoint unschedule", "checkpoints", "schedules", "restore", "move",
                "remote add", "remote list", "remote remove", "trust token", "operations", "wait", "cancel",
                "events")) {
            assertTrue(names.contains(c), "missing command: " + c);
        }
    }

    @Test
    void topHelpDocumentsExitCodes() {
        CliRunner.Result r = CliRunner.run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Exit codes:"), r.out());
        assertTrue(r.out().contains("5  godwitd unreachable"), r.out());
        assertTrue(r.out().contains("GODWIT_SOCKET"), r.out());
        // the table belongs to the top command only
        assertTrue(!CliRunner.run("list", "--help").out().contains("Exit codes:"));
    }

    @Test
    void version() {
        CliRunner.Result r = CliRunner.run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("godwit "), r.out());
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(List.of(), "missing command"),
                Arguments.of(List.of("frobnicate"), "Unmatched argument"),
                Arguments.of(List.of("image"), "missing subcommand"),
                Arguments.of(List.of("image", "import", "busybox"), "PATH"),
                Arguments.of(List.of("launch", "busybox"), "IMAGE and NAME"),
                Arguments.of(List.of("launch", "--memory", "lots", "img", "c1"), "not a size"),
                Arguments.of(List.of("launch", "--cpus", "-1", "img", "c1"), "--cpus"),
                Arguments.of(List.of("launch", "--count", "3", "img", "c1", "--", "x"), "--count needs --from"),
                Arguments.of(List.of("launch", "--from", "c1", "a", "b"), "exactly one NEWNAME"),
                Arguments.of(List.of("launch", "--from", "c1/", "a"), "--from wants"),
                Arguments.of(List.of("launch", "-v", "nocolon", "img", "c1"), "-v wants"),
                Arguments.of(List.of("launch", "-v", "/a:relative", "img", "c1"), "absolute"),
                Arguments.of(List.of("launch", "-e", "NOEQ", "img", "c1"), "-e wants"),
                Arguments.of(List.of("launch", "--network", "wifi", "img", "c1"), "--network"),
                Arguments.of(List.of("launch", "--network", "none", "--address", "10.0.0.2/24", "img", "c1"), "bridge"),
                Arguments.of(List.of("launch", "img", "c1", "-c", "x"), "Unknown option"),
                Arguments.of(List.of("list", "--format", "xml"), "--format"),
                Arguments.of(List.of("info"), "NAME"),
                Arguments.of(List.of("exec", "c1"), "CMD"),
                Arguments.of(List.of("stop", "c1", "--timeout", "soon"), "--timeout"),
                Arguments.of(List.of("kill", "c1", "--signal", "BOGUS"), "not a signal"),
                Arguments.of(List.of("kill", "c1", "--signal", "99"), "not a signal"),
                Arguments.of(List.of("checkpoint"), "missing NAME"),
                Arguments.of(List.of("checkpoint", "schedule", "c1"), "--every"),
                Arguments.of(List.of("checkpoint", "schedule", "c1", "--every", "often"), "--every wants"),
                Arguments.of(List.of("checkpoint", "schedule", "c1", "--every", "10m", "--keep", "0"), "--keep"),
                Arguments.of(List.of("checkpoint", "delete", "c1"), "ID"),
                Arguments.of(List.of("restore", "c1", "cp1", "--latest"), "not both"),
                Arguments.of(List.of("move", "c1"), "REMOTE"),
                Arguments.of(List.of("move", "c1", ":"), "missing remote"),
                Arguments.of(List.of("move", "c1", "hostb:", "--mode", "teleport"), "--mode"),
                Arguments.of(List.of("move", "c1", "hostb:web2", "--name", "web3"), "two new names"),
                Arguments.of(List.of("remote", "add", "hostb", "10.0.0.2:8443"), "--token"),
                Arguments.of(List.of("remote", "add", "hostb", "fd00::2", "--token", "t"), "ADDRESS"),
                Arguments.of(List.of("trust"), "missing subcommand"),
                Arguments.of(List.of("wait"), "ID"),
                Arguments.of(List.of("wait", "op1", "--timeout", "-3"), "--timeout"),
                Arguments.of(List.of("move", "c1", "hostb:", "--mode", "warp"), "--mode"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void usageErrorsExit2(List<String> args, String expected) {
        List<String> all = new ArrayList<>(List.of("--socket", NO_SOCKET));
        all.addAll(args);
        CliRunner.Result r = CliRunner.run(all.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().startsWith("godwit: "), r::toString);
        assertTrue(r.err().contains(expected), () -> "expected '" + expected + "' in\n" + r);
        assertTrue(r.err().contains("--help' for usage"), r::toString);
        assertEquals("", r.out(), r::toString);
    }

    @Test
    void defaultSocketComesFromTheEnvironmentOrTheStandardPath() {
        GodwitCli cli = new GodwitCli();
        GodwitCli.commandLine(cli).parseArgs("list");
        String env = System.getenv("GODWIT_SOCKET");
        assertEquals(env == null || env.isEmpty() ? "/run/godwit/godwit.sock" : env, cli.socket.toString());
    }

    @Test
    void socketOptionIsAcceptedBeforeAndAfterTheSubcommand() {
        GodwitCli a = new GodwitCli();
        GodwitCli.commandLine(a).parseArgs("--socket", "/tmp/a.sock", "image", "list");
        assertEquals("/tmp/a.sock", a.socket.toString());
        GodwitCli b = new GodwitCli();
        GodwitCli.commandLine(b).parseArgs("image", "list", "--socket", "/tmp/b.sock");
        assertEquals("/tmp/b.sock", b.socket.toString());
    }

    @Test
    void launchBuildsTheSpecOfTheApi() {
        LaunchCommand l = new LaunchCommand();
        CommandLine cl = new CommandLine(l);
        cl.parseArgs("--memory", "64M", "--cpus", "0.5", "--pids", "32", "--address", "10.77.0.5/24",
                "--gateway", "10.77.0.1", "-v", "/srv/data:/data:ro", "-v", "rel:/x", "-e", "A=1", "-e", "B=x=y",
                "--cwd", "/tmp", "busybox", "c1", "--", "/bin/sh", "-c", "echo hi");
        var spec = l.spec("busybox", "c1", l.args.subList(2, l.args.size()));
        String json = DaemonClient.json().valueToTree(spec).toString();
        assertEquals("{\"image\":\"busybox\",\"command\":[\"/bin/sh\",\"-c\",\"echo hi\"],"
                + "\"env\":{\"A\":\"1\",\"B\":\"x=y\"},\"cwd\":\"/tmp\",\"hostname\":\"c1\","
                + "\"mounts\":[{\"hostPath\":\"/srv/data\",\"containerPath\":\"/data\",\"readOnly\":true},"
                + "{\"hostPath\":\"" + java.nio.file.Path.of("rel").toAbsolutePath() + "\",\"containerPath\":\"/x\",\"readOnly\":false}],"
                + "\"limits\":{\"memoryBytes\":67108864,\"cpuMillis\":500,\"pids\":32},"
                + "\"network\":{\"mode\":\"bridge\",\"address\":\"10.77.0.5/24\",\"gateway\":\"10.77.0.1\"}}", json);
    }

    @Test
    void launchBuildsTheSecurityObject() throws Exception {
        java.nio.file.Path profile = java.nio.file.Files.createTempFile("seccomp", ".json");
        java.nio.file.Files.writeString(profile, "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
        LaunchCommand l = new LaunchCommand();
        new CommandLine(l).parseArgs("--cap-add", "NET_ADMIN", "--cap-drop", "ALL", "--security-opt",
                "no-new-privileges=false", "--security-opt", "seccomp=" + profile, "--user", "1000:1000",
                "--group-add", "20", "--read-only", "--tmpfs", "/run", "busybox", "c1", "--", "true");
        String json = DaemonClient.json().valueToTree(l.security()).toString();
        java.nio.file.Files.delete(profile);
        assertEquals("{\"capAdd\":[\"NET_ADMIN\"],\"capDrop\":[\"ALL\"],\"noNewPrivileges\":false,"
                + "\"seccomp\":\"custom\",\"seccompProfile\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"},"
                + "\"user\":\"1000:1000\",\"groups\":[20],\"readOnlyRootfs\":true,\"tmpfs\":[\"/run\"]}", json);
        LaunchCommand bad = new LaunchCommand();
        new CommandLine(bad).parseArgs("--security-opt", "apparmor=x", "busybox", "c1");
        assertTrue(assertThrows(CommandLine.ParameterException.class, bad::security).getMessage().contains("apparmor=x"));
        LaunchCommand ns = new LaunchCommand();
        new CommandLine(ns).parseArgs("--userns", "busybox", "c1");
        assertEquals("{\"userns\":{}}", DaemonClient.json().valueToTree(ns.security()).toString());
        assertEquals("container ids 0-65535 = host uids 1073741824-1073807359, gids 1073741824-1073807359"
                + " (container root is host uid 1073741824)", ContainerCommands.userns(DaemonClient.json().readTree(
                        "{\"hostUid\":1073741824,\"hostGid\":1073741824,\"size\":65536}")));
    }

    @Test
    void moveTargetAcceptsTheColonHabit() {
        assertEquals(new MoveCommand.Target("hostb", null), MoveCommand.Target.parse("hostb:"));
        assertEquals(new MoveCommand.Target("hostb", null), MoveCommand.Target.parse("hostb"));
        assertEquals(new MoveCommand.Target("hostb", "web2"), MoveCommand.Target.parse("hostb:web2"));
    }
}
