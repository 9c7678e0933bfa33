package io.godwit.runtime.cgroup;

import java.util.regex.Pattern;

/**
 * Container names become directory names under every controller: refuse anything that could
 * leave the godwit directory ('/', "..") or confuse the kernel's files (newlines, spaces).
 */
final class CgroupNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private CgroupNames() {
    }

    static String validate(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid cgroup name '" + name
                    + "': use 1-128 of [A-Za-z0-9_.-], starting with a letter or digit");
        }
        return name;
    }
}
