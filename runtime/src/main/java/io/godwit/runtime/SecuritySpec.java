package io.godwit.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.runtime.confine.Capabilities;
import io.godwit.runtime.confine.DefaultSeccompProfile;
import io.godwit.runtime.confine.ProcPaths;
import io.godwit.runtime.confine.SeccompProfile;
import io.godwit.runtime.confine.SeccompProfileJson;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How a container is confined: the "security" object of config.json. A request gives what it
 * wants changed (capAdd, capDrop, seccomp, user, ...); {@link #withDefaults()} records the whole
 * result (the capability list, the masked paths) so that the spec that travels with checkpoints
 * and moves says exactly what the container had, whatever another daemon's defaults are.
 *
 * @param seccomp        "default" (Godwit's profile), "unconfined", or "custom" (seccompProfile)
 * @param seccompProfile a profile in Docker's / OCI's JSON format, for "custom"
 * @param user           "UID" or "UID:GID" (numeric; GID defaults to 0, as in Docker)
 * @param tmpfs          container paths that get a fresh tmpfs (where a --read-only root must be written)
 * @param userns         null: the host's user namespace; else its own ({@link UserNamespace}; {} asks for one)
 */
public record SecuritySpec(List<String> capAdd, List<String> capDrop, List<String> capabilities,
        Boolean noNewPrivileges, String seccomp, JsonNode seccompProfile, String user, List<Long> groups,
        Boolean readOnlyRootfs, List<String> tmpfs, List<String> maskedPaths, List<String> readonlyPaths,
        UserNamespace userns) {

    public static final SecuritySpec DEFAULT = new SecuritySpec(null, null, null, null, null, null, null, null, null,
            null, null, null);

    /** Without a user namespace (the form from before user namespaces existed). */
    public SecuritySpec(List<String> capAdd, List<String> capDrop, List<String> capabilities, Boolean noNewPrivileges,
            String seccomp, JsonNode seccompProfile, String user, List<Long> groups, Boolean readOnlyRootfs,
            List<String> tmpfs, List<String> maskedPaths, List<String> readonlyPaths) {
        this(capAdd, capDrop, capabilities, noNewPrivileges, seccomp, seccompProfile, user, groups, readOnlyRootfs,
                tmpfs, maskedPaths, readonlyPaths, null);
    }

    public SecuritySpec withUserns(UserNamespace ns) {
        return new SecuritySpec(capAdd, capDrop, capabilities, noNewPrivileges, seccomp, seccompProfile, user, groups,
                readOnlyRootfs, tmpfs, maskedPaths, readonlyPaths, ns);
    }
    private static final Pattern USER = Pattern.compile("([0-9]{1,10})(:([0-9]{1,10}))?");

    public SecuritySpec {
        // JSON null arrives as a NullNode, not as Java null: a spec written by another mapper has "seccompProfile": null
        seccompProfile = seccompProfile == null || seccompProfile.isNull() || seccompProfile.isMissingNode() ? null : seccompProfile;
        capAdd = capAdd == null ? null : List.copyOf(capAdd);
        capDrop = capDrop == null ? null : List.copyOf(capDrop);
        capabilities = capabilities == null ? null : List.copyOf(capabilities);
        groups = groups == null ? null : List.copyOf(groups);
        tmpfs = tmpfs == null ? null : List.copyOf(tmpfs);
        maskedPaths = maskedPaths == null ? null : List.copyOf(maskedPaths);
        readonlyPaths = readonlyPaths == null ? null : List.copyOf(readonlyPaths);
    }

    /** Everything filled in; an explicit capability list (a spec that was filled before) is kept as it is. */
    public SecuritySpec withDefaults() {
        List<String> caps = capabilities != null
                ? capabilities.stream().map(c -> Capabilities.canonical("security.capabilities", c)).sorted().toList()
                : Capabilities.resolve(capAdd, capDrop);
        return new SecuritySpec(capAdd, capDrop, caps, noNewPrivileges == null || noNewPrivileges,
                seccomp != null ? seccomp : seccompProfile != null ? "custom" : "default", seccompProfile, user,
                groups == null ? List.of() : groups, readOnlyRootfs != null && readOnlyRootfs,
                tmpfs == null ? List.of() : tmpfs, maskedPaths == null ? ProcPaths.MASKED : maskedPaths,
                readonlyPaths == null ? ProcPaths.READ_ONLY : readonlyPaths, userns);
    }

    /** Checks names, formats and the profile; throws InvalidSpecException naming the field. */
    public void validate() {
        Capabilities.check("security.capAdd", capAdd);
        Capabilities.check("security.capDrop", capDrop);
        if (capabilities != null) {
            for (int i = 0; i < capabilities.size(); i++) {
                Capabilities.canonical("security.capabilities[" + i + "]", capabilities.get(i));
            }
        }
        if (seccomp != null && !List.of("default", "unconfined", "custom").contains(seccomp)) {
            throw new InvalidSpecException("security.seccomp",
                    "must be \"default\", \"unconfined\" or \"custom\" (with seccompProfile), not \"" + seccomp + "\"");
        }
        if ("custom".equals(seccomp) && seccompProfile == null) {
            throw new InvalidSpecException("security.seccompProfile", "required with seccomp \"custom\"");
        }
        if (seccompProfile != null && seccomp != null && !seccomp.equals("custom")) {
            throw new InvalidSpecException("security.seccomp", "a seccompProfile needs seccomp \"custom\", not \"" + seccomp + "\"");
        }
        if (seccompProfile != null) {
            SeccompProfileJson.parse(seccompProfile, "security.seccompProfile");
        }
        if (user != null && !USER.matcher(user).matches()) {
            throw new InvalidSpecException("security.user", "must be UID or UID:GID (numbers), not \"" + user + "\"");
        }
        if (user != null && (uidOf(user) > 0xFFFFFFFEL || gidOf(user) > 0xFFFFFFFEL)) {
            throw new InvalidSpecException("security.user", "out of range: " + user);
        }
        if (groups != null) {
            for (int i = 0; i < groups.size(); i++) {
                Long g = groups.get(i);
                if (g == null || g < 0 || g > 0xFFFFFFFEL) {
                    throw new InvalidSpecException("security.groups[" + i + "]", "a group id 0..4294967294 is required");
                }
            }
            if (groups.size() > 64) {
                throw new InvalidSpecException("security.groups", "at most 64 supplementary groups");
            }
        }
        paths("security.tmpfs", tmpfs);
        paths("security.maskedPaths", maskedPaths);
        paths("security.readonlyPaths", readonlyPaths);
        if (userns != null) {
            userns.validate();
        }
    }

    private static void paths(String field, List<String> paths) {
        if (paths == null) {
            return;
        }
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            if (p == null || !p.startsWith("/") || p.indexOf('\0') >= 0 || p.replaceAll("/+", "/").equals("/")
                    || List.of(p.split("/")).contains("..")) {
                throw new InvalidSpecException(field + "[" + i + "]", "an absolute path other than / and without '..' is required");
            }
        }
    }

    /** The profile to load, or null for "unconfined". Call on a spec after withDefaults(). */
    public SeccompProfile seccompRules() {
        return switch (seccomp) {
            case "unconfined" -> null;
            case "custom" -> SeccompProfileJson.parse(seccompProfile, "security.seccompProfile");
            default -> DefaultSeccompProfile.get();
        };
    }

    public long capabilityMask() {
        return Capabilities.mask(capabilities);
    }

    public boolean hasUser() {
        return user != null;
    }

    public long uid() {
        return user == null ? 0 : uidOf(user);
    }

    public long gid() {
        return user == null ? 0 : gidOf(user);
    }

    private static long uidOf(String u) {
        return Long.parseLong(u.split(":")[0]);
    }

    private static long gidOf(String u) {
        String[] p = u.split(":");
        return p.length > 1 ? Long.parseLong(p[1]) : 0;
    }
}
