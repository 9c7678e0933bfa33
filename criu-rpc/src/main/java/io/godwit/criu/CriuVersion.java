package io.godwit.criu;

/** CRIU's version as swrk reports it; {@code gitid} is empty for release builds. */
public record CriuVersion(int major, int minor, int sublevel, String gitid) implements Comparable<CriuVersion> {
    public boolean atLeast(int major, int minor, int sublevel) {
        return compareTo(new CriuVersion(major, minor, sublevel, "")) >= 0;
    }

    @Override
    public int compareTo(CriuVersion o) {
        if (major != o.major) return Integer.compare(major, o.major);
        if (minor != o.minor) return Integer.compare(minor, o.minor);
        return Integer.compare(sublevel, o.sublevel);
    }

    @Override
    public String toString() {
        return major + "." + minor + (sublevel != 0 ? "." + sublevel : "") + (gitid.isEmpty() ? "" : " (" + gitid + ")");
    }
}
