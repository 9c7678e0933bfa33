package io.godwit.migrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.migrator.DaemonConfigFile.ConfigException;
import io.godwit.migrator.DaemonConfigFile.Settings;
import io.godwit.runtime.ContainerSpec;
import io.godwit.runtime.cgroup.ResourceLimits;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DaemonConfigFileTest {
    @TempDir
    Path dir;

    private static CommandLine.ParseResult options(String... args) {
        return new CommandLine(new GodwitDaemon()).parseArgs(args);
    }

    private Path file(String json) throws Exception {
        Path f = dir.resolve("godwitd.json");
        Files.writeString(f, json);
        return f;
    }

    private Settings resolve(Path config, String... args) throws ConfigException {
        return DaemonConfigFile.resolve(config, options(args), dir.resolve("absent-default.json"));
    }

    private String error(String json, String... args) throws Exception {
        Path f = file(json);
        return assertThrows(ConfigException.class, () -> resolve(f, args)).getMessage();
    }

    @Test
    void noFileMeansBuiltInDefaults() throws Exception {
        Settings s = resolve(null);
        assertEquals(DaemonConfig.DEFAULT_ROOT, s.root());
        assertEquals(DaemonConfig.DEFAULT_SOCKET, s.socket());
        assertNull(s.listen());
        assertEquals("godwit", s.cgroupParent());
        assertEquals(Level.INFO, s.logLevel());
        assertEquals(ContainerDefaults.NONE, s.containerDefaults());
        assertNull(s.source());
    }

    @Test
    void criuBreakpointsAndStallComeFromTheFileAndTheOptionsWin() throws Exception {
        Settings none = resolve(null);
        assertEquals(io.godwit.migrator.host.BreakpointMode.AUTO, none.criuBreakpoints());
        assertEquals(java.time.Duration.ofSeconds(30), none.criuStall());
        Path f = file("{\"criuBreakpoints\": \"off\", \"criuStallSeconds\": 12}");
        Settings s = resolve(f);
        assertEquals(io.godwit.migrator.host.BreakpointMode.OFF, s.criuBreakpoints());
        assertEquals(java.time.Duration.ofSeconds(12), s.criuStall());
        Settings o = resolve(f, "--criu-breakpoints", "on", "--criu-stall-seconds", "5");
        assertEquals(io.godwit.migrator.host.BreakpointMode.ON, o.criuBreakpoints());
        assertEquals(java.time.Duration.ofSeconds(5), o.criuStall());
    }

    @Test
    void badCriuSettingsNameTheKey() throws Exception {
        String e = error("{\"criuBreakpoints\": \"sometimes\"}");
        assertTrue(e.contains("criuBreakpoints") && e.contains("auto, on, off"), e);
        e = error("{\"criuStallSeconds\": 0}");
        assertTrue(e.contains("criuStallSeconds"), e);
        Path f = file("{}");
        e = assertThrows(ConfigException.class, () -> resolve(f, "--criu-stall-seconds", "-1")).getMessage();
        assertTrue(e.contains("--criu-stall-seconds"), e);
    }

    @Test
    void consoleLogBoundsAreReadAndChecked() throws Exception {
        assertEquals(io.godwit.runtime.ConsoleLog.DEFAULT, resolve(null).consoleLog());
        Settings s = resolve(file("{\"consoleLog\": {\"maxBytes\": \"1M\", \"files\": 0}}"));
        assertEquals(new io.godwit.runtime.ConsoleLog(1 << 20, 0), s.consoleLog());
        assertTrue(error("{\"consoleLog\": {\"files\": -1}}").contains("consoleLog.files"));
        assertTrue(error("{\"consoleLog\": {\"maxBytes\": 100}}").contains("at least 4096"));
        assertTrue(error("{\"consoleLog\": {\"size\": 100}}").contains("size"));
    }

    @Test
    void theDefaultFileIsReadWhenItExists() throws Exception {
        Path f = file("{\"root\": \"/srv/godwit\"}");
        Settings s = DaemonConfigFile.resolve(null, options(), f);
        assertEquals(Path.of("/srv/godwit"), s.root());
        assertEquals(f, s.source());
    }

    @Test
    void everyKeyIsReadAndOptionsGivenOverrideTheFile() throws Exception {
        Path f = file("""
                {"root": "/srv/godwit", "socket": "/srv/godwit.sock", "listen": "10.0.0.1:8443",
                 "cgroupParent": "godwit-a", "logLevel": "debug",
                 "defaults": {"limits": {"memoryBytes": "512M", "cpuMillis": 1500, "pids": 64}}}""");
        Settings fromFile = resolve(f);
        assertEquals(Path.of("/srv/godwit"), fromFile.root());
        assertEquals(Path.of("/srv/godwit.sock"), fromFile.socket());
        assertEquals("10.0.0.1:8443", fromFile.listen());
        assertEquals("godwit-a", fromFile.cgroupParent());
        assertEquals(Level.FINE, fromFile.logLevel());
        assertEquals(new ContainerDefaults(512L << 20, 1500L, 64L), fromFile.containerDefaults());

        Settings overridden = resolve(f, "--root", "/other/root", "--config", f.toString());
        assertEquals(Path.of("/other/root"), overridden.root());
        assertEquals(Path.of("/srv/godwit.sock"), overridden.socket(), "an option not given leaves the file's value");
        assertEquals(Path.of("/x/y.sock"), resolve(f, "--socket", "/x/y.sock").socket());
    }

    @Test
    void nullMeansNotSet() throws Exception {
        Settings s = resolve(file("{\"listen\": null, \"root\": null, \"defaults\": {\"limits\": {\"pids\": null}}}"));
        assertNull(s.listen());
        assertEquals(DaemonConfig.DEFAULT_ROOT, s.root());
        assertEquals(ContainerDefaults.NONE, s.containerDefaults());
    }

    @Test
    void unknownKeysAreErrorsThatNameTheKey() throws Exception {
        String top = error("{\"root\": \"/srv\", \"rot\": \"/srv\"}");
        assertTrue(top.contains("unknown key 'rot'") && top.contains("root"), top);
        String nested = error("{\"defaults\": {\"limits\": {\"memory\": 5}}}");
        assertTrue(nested.contains("unknown key 'defaults.limits.memory'") && nested.contains("memoryBytes"), nested);
        String inDefaults = error("{\"defaults\": {\"cpus\": 1}}");
        assertTrue(inDefaults.contains("unknown key 'defaults.cpus'"), inDefaults);
    }

    @Test
    void badValuesAreErrorsThatNameTheKeyAndTheFile() throws Exception {
        for (String[] c : List.of(
                new String[]{"{\"root\": 5}", "'root' must be a non-empty string"},
                new String[]{"{\"root\": \"var/lib/godwit\"}", "'root' must be an absolute path"},
                new String[]{"{\"socket\": \"\"}", "'socket' must be a non-empty string"},
                new String[]{"{\"listen\": \"10.0.0.1\"}", "'listen': '10.0.0.1' is not ADDR:PORT"},
                new String[]{"{\"listen\": \"10.0.0.1:70000\"}", "is not ADDR:PORT"},
                new String[]{"{\"listen\": 8443}", "'listen' must be a non-empty string"},
                new String[]{"{\"cgroupParent\": \"a/b\"}", "'cgroupParent': 'a/b' is not a cgroup name"},
                new String[]{"{\"logLevel\": \"loud\"}", "'logLevel': \"loud\" is not one of"},
                new String[]{"{\"defaults\": {\"limits\": {\"memoryBytes\": \"lots\"}}}", "'defaults.limits.memoryBytes'"},
                new String[]{"{\"defaults\": {\"limits\": {\"pids\": -1}}}", "'defaults.limits.pids' must be a whole number"},
                new String[]{"{\"defaults\": {\"limits\": {\"cpuMillis\": 1.5}}}", "'defaults.limits.cpuMillis' must be a whole number"},
                new String[]{"{\"defaults\": 3}", "'defaults' must be a JSON object"},
                new String[]{"{\"root\": \"/a\", \"root\": \"/b\"}", "Duplicate field 'root'"},
                new String[]{"{\"root\": \"/a\"", "malformed JSON"},
                new String[]{"[]", "must be one JSON object"},
                new String[]{"", "must be one JSON object"})) {
            String message = error(c[0]);
            assertTrue(message.startsWith(dir.resolve("godwitd.json") + ": "), message);
            assertTrue(message.contains(c[1]), c[0] + " -> " + message);
        }
    }

    @Test
    void aMissingConfigFileGivenByOptionIsAnError() {
        Path missing = dir.resolve("nope.json");
        String m = assertThrows(ConfigException.class, () -> resolve(missing)).getMessage();
        assertEquals(missing + ": no such file", m);
    }

    @Test
    void theDaemonExitsNonZeroWithTheMessageOnBadSettings() throws Exception {
        Path f = file("{\"rooot\": \"/srv\"}");
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new GodwitDaemon());
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("--config", f.toString(), "--root", dir.resolve("root").toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("godwitd: bad settings: " + f + ": unknown key 'rooot'"), err.toString());
        assertTrue(Files.notExists(dir.resolve("root")), "nothing is created with bad settings");
    }

    @Test
    void containerDefaultsFillOnlyTheLimitsARequestLeavesOut() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ContainerDefaults d = new ContainerDefaults(64L << 20, 500L, null);
        ContainerSpec none = ContainerSpec.of("busybox", List.of("sh")).withDefaults("c1");
        assertEquals(new ResourceLimits(64L << 20, 500, 0), d.applyTo(none, json.missingNode()).limits());

        ContainerSpec given = none.withLimits(new ResourceLimits(0, 2000, 10));
        ResourceLimits kept = d.applyTo(given, json.readTree("{\"memoryBytes\": 0, \"cpuMillis\": 2000, \"pids\": 10}")).limits();
        assertEquals(new ResourceLimits(0, 2000, 10), kept, "a limit given (0 = unlimited) wins over the default");
        ResourceLimits partly = d.applyTo(none.withLimits(new ResourceLimits(0, 0, 10)), json.readTree("{\"pids\": 10}")).limits();
        assertEquals(new ResourceLimits(64L << 20, 500, 10), partly);
        assertEquals(none, ContainerDefaults.NONE.applyTo(none, json.missingNode()));
    }
}
