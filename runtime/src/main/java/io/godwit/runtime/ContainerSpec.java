package io.godwit.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.godwit.runtime.cgroup.ResourceLimits;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What to run and how: the container's config.json. Parse with {@link #fromJson}, which rejects unknown
 * or ill-typed fields naming them; {@link #validate()} checks the values.
 */
public record ContainerSpec(String image, List<String> command, Map<String, String> env, String cwd,
        String hostname, List<VolumeMount> mounts, ResourceLimits limits, NetworkSpec network, SecuritySpec security) {

    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})?");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    public ContainerSpec {
        command = command == null ? null : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    /** A spec with only an image and a command; everything else defaults. */
    public static ContainerSpec of(String image, List<String> command) {
        return new ContainerSpec(image, command, null, null, null, null, null, null, null);
    }

    public ContainerSpec withMounts(List<VolumeMount> newMounts) {
        return new ContainerSpec(image, command, env, cwd, hostname, newMounts, limits, network, security);
    }

    public ContainerSpec withLimits(ResourceLimits newLimits) {
        return new ContainerSpec(image, command, env, cwd, hostname, mounts, newLimits, network, security);
    }

    public ContainerSpec withHostname(String newHostname) {
        return new ContainerSpec(image, command, env, cwd, newHostname, mounts, limits, network, security);
    }

    public ContainerSpec withNetwork(NetworkSpec newNetwork) {
        return new ContainerSpec(image, command, env, cwd, hostname, mounts, limits, newNetwork, security);
    }

    /** The confinement, all filled in (a config.json from before confinement existed has none: the default). */
    public SecuritySpec confinement() {
        return (security == null ? SecuritySpec.DEFAULT : security).withDefaults();
    }

    public ContainerSpec withSecurity(SecuritySpec newSecurity) {
        return new ContainerSpec(image, command, env, cwd, hostname, mounts, limits, network, newSecurity);
    }

    /**
     * Fills the defaults: cwd "/", hostname = container name (with '_', which a container name may
     * have and a host name may not, as '-'), PATH, no limits, network none, and the default
     * confinement (see {@link SecuritySpec#withDefaults()}).
     */
    public ContainerSpec withDefaults(String containerName) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.putIfAbsent("PATH", DEFAULT_PATH);
        return new ContainerSpec(image, command, e, cwd == null ? "/" : cwd,
                hostname == null ? ContainerName.defaultHostname(containerName) : hostname, mounts,
                limits == null ? ResourceLimits.NONE : limits, network == null ? NetworkSpec.NONE : network,
                (security == null ? SecuritySpec.DEFAULT : security).withDefaults());
    }

    /** PID_MAX_LIMIT on 64-bit Linux. */
    static final long MAX_PIDS = 4_194_304;
    /** cpu.max takes microseconds per 100 ms period: far below this a quota overflows nothing. */
    static final long MAX_CPU_MILLIS = 1_000_000;

    public static ContainerSpec fromJson(String json) {
        try {
            ContainerSpec spec = Json.MAPPER.readValue(json, ContainerSpec.class);
            if (spec == null) {
                throw new InvalidSpecException("", "empty document");
            }
            return spec;
        } catch (UnrecognizedPropertyException e) {
            // the reported path may end at the last known property: name the unknown one
            String path = path(e);
            String known = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
            String field = e.getPath().size() > 1 ? known + "." + e.getPropertyName() : String.valueOf(e.getPropertyName());
            throw new InvalidSpecException(field, "unknown field", e);
        } catch (JsonMappingException e) {
            throw new InvalidSpecException(path(e), e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new InvalidSpecException("", "malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize spec", e);
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** Checks every value; throws InvalidSpecException naming the first bad field. */
    public ContainerSpec validate() {
        if (image == null || image.isBlank()) {
            throw new InvalidSpecException("image", "required");
        }
        if (command == null || command.isEmpty()) {
            throw new InvalidSpecException("command", "required (a non-empty list)");
        }
        for (int i = 0; i < command.size(); i++) {
            String c = command.get(i);
            if (c == null || c.indexOf('\0') >= 0 || (i == 0 && c.isEmpty())) {
                throw new InvalidSpecException("command[" + i + "]", "must be a non-empty string without NUL");
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String k = e.getKey();
            if (k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0) {
                throw new InvalidSpecException("env." + k, "variable names must be non-empty, without '=' or NUL");
            }
            if (e.getValue() == null || e.getValue().indexOf('\0') >= 0) {
                throw new InvalidSpecException("env." + k, "value must be a string without NUL");
            }
        }
        if (cwd != null && (!cwd.startsWith("/") || cwd.indexOf('\0') >= 0)) {
            throw new InvalidSpecException("cwd", "must be an absolute path");
        }
        if (hostname != null && !HOSTNAME.matcher(hostname).matches()) {
            throw new InvalidSpecException("hostname", "'" + hostname + "' is not a valid host name");
        }
        Set<String> targets = new HashSet<>();
        for (int i = 0; i < mounts.size(); i++) {
            VolumeMount m = mounts.get(i);
            String f = "mounts[" + i + "]";
            if (m == null) {
                throw new InvalidSpecException(f, "null");
            }
            checkAbsolute(f + ".hostPath", m.hostPath());
            checkAbsolute(f + ".containerPath", m.containerPath());
            if (m.containerPath().replaceAll("/+", "/").equals("/")) {
                throw new InvalidSpecException(f + ".containerPath", "cannot mount over /");
            }
            if (!targets.add(m.containerPath())) {
                throw new InvalidSpecException(f + ".containerPath", "mounted twice: " + m.containerPath());
            }
        }
        if (limits != null) {
            if (limits.memoryBytes() < 0) {
                throw new InvalidSpecException("limits.memoryBytes", "negative");
            }
            if (limits.cpuMillis() < 0) {
                throw new InvalidSpecException("limits.cpuMillis", "negative");
            }
            if (limits.pids() < 0) {
                throw new InvalidSpecException("limits.pids", "negative");
            }
            // the kernel's PID_MAX_LIMIT: pids.max refuses more (a 500 from the cgroup write otherwise)
            if (limits.pids() > MAX_PIDS) {
                throw new InvalidSpecException("limits.pids", limits.pids() + " is more than a Linux host can run ("
                        + MAX_PIDS + "); 0 means unlimited");
            }
            if (limits.cpuMillis() > MAX_CPU_MILLIS) {
                throw new InvalidSpecException("limits.cpuMillis", limits.cpuMillis() + " is more than "
                        + MAX_CPU_MILLIS / 1000 + " CPUs; 0 means unlimited");
            }
        }
        if (security != null) {
            security.validate();
        }
        if (network != null) {
            String mode = network.mode();
            if (!"none".equals(mode) && !"bridge".equals(mode)) {
                throw new InvalidSpecException("network.mode", "must be \"none\" or \"bridge\", not " + mode);
            }
            if (network.bridgeMode()) {
                if (network.bridge() == null || !IFNAME.matcher(network.bridge()).matches()) {
                    throw new InvalidSpecException("network.bridge", "an interface name of 1-15 characters is required");
                }
                checkCidr("network.address", network.address());
                checkIp("network.gateway", network.gateway());
            }
        }
        return this;
    }

    private static void checkAbsolute(String field, String p) {
        if (p == null || !p.startsWith("/") || p.indexOf('\0') >= 0) {
            throw new InvalidSpecException(field, "must be an absolute path");
        }
        for (String seg : p.split("/")) {
            if (seg.equals("..")) {
                throw new InvalidSpecException(field, "must not contain '..'");
            }
        }
    }

    private static void checkCidr(String field, String cidr) {
        if (cidr == null || cidr.indexOf('/') < 0) {
            throw new InvalidSpecException(field, "an address in CIDR form (10.0.0.2/24) is required");
        }
        String[] parts = cidr.split("/", 2);
        checkIp(field, parts[0]);
        try {
            int prefix = Integer.parseInt(parts[1]);
            if (prefix < 0 || prefix > (parts[0].contains(":") ? 128 : 32)) {
                throw new InvalidSpecException(field, "prefix length out of range: " + cidr);
            }
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(field, "bad prefix length: " + cidr, e);
        }
    }

    private static void checkIp(String field, String ip) {
        // only literal addresses: InetAddress would otherwise resolve names
        if (ip == null || !ip.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new InvalidSpecException(field, "an IP address is required, got " + ip);
        }
        try {
            InetAddress.getByName(ip);
        } catch (Exception e) {
            throw new InvalidSpecException(field, "not an IP address: " + ip, e);
        }
    }
}
