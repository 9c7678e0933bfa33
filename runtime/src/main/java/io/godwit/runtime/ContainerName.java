package io.godwit.runtime;

import java.util.regex.Pattern;

/** Container names: they become directory names and cgroup names, so they are kept tame. */
public final class ContainerName {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    private ContainerName() {
    }

    /** Returns the name, or throws IllegalArgumentException saying what is wrong with it. */
    public static String validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("container name is empty");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid container name '" + name
                    + "': 1-63 characters from [a-z0-9_.-], starting with a letter or digit");
        }
        return name;
    }

    /**
     * The host name a container of this name gets unless its spec says otherwise: the name, with
     * '_' (which a container name may have and a host name may not) as '-'.
     */
    public static String defaultHostname(String name) {
        return name.replace('_', '-');
    }
}
