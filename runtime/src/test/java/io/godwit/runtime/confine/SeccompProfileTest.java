package io.godwit.runtime.confine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.runtime.InvalidSpecException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pure logic: Docker/OCI JSON profiles, the default profile, what the monitor is given, capability sets. */
class SeccompProfileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SeccompProfile parse(String json) throws Exception {
        return SeccompProfileJson.parse(JSON.readTree(json), "p");
    }

    @Test
    void dockerFormatWithCapabilityConditionsCompilesForTheContainersCaps() throws Exception {
        SeccompProfile p = parse("""
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
                             {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
                 "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                              {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                              {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "comment": "no namespaces",
                               "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
                               "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
                              {"names": ["getpid"], "action": "SCMP_ACT_ERRNO"}]}""");
        String plain = SeccompRules.compile(p, Set.of("CAP_CHOWN"), "6.1.0");
        assertTrue(plain.contains("default errno 1\narch x86_64\narch x86\n"), plain);
        assertTrue(plain.contains("rule allow 0 read 0\nrule allow 0 write 0\n"), plain);
        assertTrue(plain.contains("rule allow 0 clone 1 0 masked_eq 2114060288 0\n"), plain);
        assertFalse(plain.contains("mount"), "needs CAP_SYS_ADMIN");
        assertFalse(plain.contains("getpid"), "same as the default action: left out");
        String admin = SeccompRules.compile(p, Set.of("CAP_SYS_ADMIN"), "6.1.0");
        assertTrue(admin.contains("rule allow 0 mount 0"), admin);
        assertFalse(admin.contains("clone"), admin);
    }

    @Test
    void badProfilesNameTheField() {
        String[][] cases = {
            {"{\"syscalls\": []}", "p.defaultAction"},
            {"{\"defaultAction\": \"SCMP_ACT_NOPE\"}", "p.defaultAction"},
            {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultActoin\": 1}", "p.defaultActoin"},
            {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"]}", "p.architectures[0]"},
            {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"]}]}", "p.syscalls[0].action"},
            {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"Read!\"], \"action\": \"SCMP_ACT_LOG\"}]}",
                "p.syscalls[0].names[0]"},
            {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\","
                + " \"args\": [{\"index\": 7, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}", "p.syscalls[0].args[0].index"},
            {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\","
                + " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ABOUT\"}]}]}", "p.syscalls[0].args[0].op"},
            {"{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "p.defaultAction"},
            {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\","
                + " \"includes\": {\"caps\": [\"CAP_FLY\"]}}]}", "p.syscalls[0].includes.caps[0]"},
        };
        for (String[] c : cases) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> parse(c[0]), c[0]);
            assertEquals(c[1], e.field(), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void defaultProfileBlocksTheDangerousCallsUnlessTheCapabilityIsThere() {
        String rules = SeccompRules.compile(DefaultSeccompProfile.get(), Set.copyOf(Capabilities.DEFAULT), "6.18.0");
        assertTrue(rules.startsWith("# compiled"), rules);
        assertTrue(rules.contains("default errno 1\n"));
        for (String blocked : List.of("mount", "init_module", "finit_module", "kexec_load", "reboot", "settimeofday",
                "clock_settime", "open_by_handle_at", "keyctl", "add_key", "bpf", "unshare", "setns", "swapon",
                "perf_event_open", "io_uring_setup", "ptrace_never")) {
            assertFalse(rules.contains(" " + blocked + " "), blocked);
        }
        assertTrue(rules.contains("rule allow 0 chroot 0"), "CAP_SYS_CHROOT is in the default set");
        assertTrue(rules.contains("rule errno 38 clone3 0"), rules);
        String all = SeccompRules.compile(DefaultSeccompProfile.get(),
                Set.copyOf(Capabilities.resolve(List.of("ALL"), null)), "6.18.0");
        assertTrue(all.contains("rule allow 0 mount 0") && all.contains("rule allow 0 reboot 0"));
        assertFalse(all.contains("keyctl"), "the keyring stays closed");
    }

    @Test
    void capabilitySetsFollowAddAndDrop() {
        assertEquals(14, Capabilities.resolve(null, null).size());
        assertEquals(List.of("CAP_NET_ADMIN"), Capabilities.resolve(List.of("net_admin"), List.of("ALL")));
        assertEquals(41 - 1, Capabilities.resolve(List.of("ALL"), List.of("CAP_SYS_ADMIN")).size());
        assertFalse(Capabilities.resolve(null, List.of("mknod")).contains("CAP_MKNOD"));
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> Capabilities.resolve(List.of("CAP_CHOWN", "CAP_FLY"), null));
        assertEquals("security.capAdd[1]", e.field());
        assertTrue(e.getMessage().contains("CAP_FLY"));
        assertEquals(0xa80425fbL, Capabilities.mask(Capabilities.DEFAULT), "Docker's default CapEff");
    }
}
