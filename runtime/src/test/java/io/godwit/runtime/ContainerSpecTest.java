package io.godwit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerSpecTest {

    @Test
    void parsesAndRoundTrips() {
        ContainerSpec s = ContainerSpec.fromJson("""
                {"image": "testfs", "command": ["counter", "50"], "env": {"A": "1"}, "cwd": "/tmp",
                 "mounts": [{"hostPath": "/srv/x", "containerPath": "/data", "readOnly": true}],
                 "limits": {"memoryBytes": 1048576, "cpuMillis": 500, "pids": 10},
                 "network": {"mode": "bridge", "bridge": "gw0", "address": "10.7.0.2/24", "gateway": "10.7.0.1"}}
                """).validate();
        assertEquals(List.of("counter", "50"), s.command());
        assertEquals(s, ContainerSpec.fromJson(s.toJson()));
        ContainerSpec d = ContainerSpec.of("testfs", List.of("x")).withDefaults("box");
        assertEquals("/", d.cwd());
        assertEquals("box", d.hostname());
        ContainerSpec underscored = ContainerSpec.of("testfs", List.of("x")).withDefaults("web_1");
        assertEquals("web-1", underscored.hostname(), "a container name may have '_', a host name may not");
        underscored.validate();
        assertEquals("none", d.network().mode());
        assertEquals(ContainerSpec.DEFAULT_PATH, d.env().get("PATH"));
    }

    @Test
    void unknownAndIllTypedFieldsAreNamed() {
        InvalidSpecException dbg = assertThrows(InvalidSpecException.class, () -> ContainerSpec.fromJson("{\"image\":\"a\",\"command\":[\"x\"],\"limits\":{\"memoryBytez\":1}}"));
        assertEquals("limits.memoryBytez", dbg.field(), dbg.getMessage() + " / " + dbg.getCause());
        assertEquals("limits.memoryBytez", assertThrows(InvalidSpecException.class, () -> ContainerSpec.fromJson(
                "{\"image\":\"a\",\"command\":[\"x\"],\"limits\":{\"memoryBytez\":1}}")).field());
        assertEquals("bogus", assertThrows(InvalidSpecException.class,
                () -> ContainerSpec.fromJson("{\"image\":\"a\",\"command\":[\"x\"],\"bogus\":1}")).field());
        assertEquals("mounts[0].readOnly", assertThrows(InvalidSpecException.class, () -> ContainerSpec.fromJson(
                "{\"image\":\"a\",\"command\":[\"x\"],\"mounts\":[{\"hostPath\":\"/a\",\"containerPath\":\"/b\",\"readOnly\":\"yes\"}]}"))
                .field());
        assertEquals("command", assertThrows(InvalidSpecException.class,
                () -> ContainerSpec.fromJson("{\"image\":\"a\",\"command\":\"x\"}")).field());
    }

    @Test
    void limitsNoHostCanHaveAreRefusedBeforeTheCgroupWrite() {
        InvalidSpecException pids = assertThrows(InvalidSpecException.class, () -> ContainerSpec.fromJson(
                "{\"image\":\"a\",\"command\":[\"x\"],\"limits\":{\"pids\":99999999999999}}").validate());
        assertEquals("limits.pids", pids.field());
        assertEquals("limits.cpuMillis", assertThrows(InvalidSpecException.class, () -> ContainerSpec.fromJson(
                "{\"image\":\"a\",\"command\":[\"x\"],\"limits\":{\"cpuMillis\":9223372036854775}}").validate()).field());
        ContainerSpec.fromJson("{\"image\":\"a\",\"command\":[\"x\"],\"limits\":{\"pids\":4194304}}").validate();
    }

    @Test
    void validateNamesTheBadField() {
        assertEquals("command", assertThrows(InvalidSpecException.class,
                () -> ContainerSpec.fromJson("{\"image\":\"a\"}").validate()).field());
        assertEquals("cwd", assertThrows(InvalidSpecException.class,
                () -> new ContainerSpec("a", List.of("x"), null, "rel", null, null, null, null, null).validate()).field());
        assertEquals("mounts[0].containerPath", assertThrows(InvalidSpecException.class,
                () -> ContainerSpec.of("a", List.of("x")).withMounts(List.of(new VolumeMount("/a", "/../etc", false)))
                        .validate()).field());
        assertEquals("network.address", assertThrows(InvalidSpecException.class,
                () -> ContainerSpec.of("a", List.of("x")).withNetwork(new NetworkSpec("bridge", "br0", "10.0.0.2", "10.0.0.1"))
                        .validate()).field());
        assertEquals("network.mode", assertThrows(InvalidSpecException.class,
                () -> ContainerSpec.of("a", List.of("x")).withNetwork(new NetworkSpec("host", null, null, null))
                        .validate()).field());
    }

    @Test
    void containerNames() {
        assertEquals("web-1.a_b", ContainerName.validate("web-1.a_b"));
        for (String bad : new String[] {"", "-x", "A", "a/b", "..", "a".repeat(64)}) {
            assertThrows(IllegalArgumentException.class, () -> ContainerName.validate(bad), bad);
        }
    }
}
