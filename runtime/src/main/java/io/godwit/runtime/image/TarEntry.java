package io.godwit.runtime.image;

/**
 * One member of a tar archive as {@link TarStream} reads it: the name and link target with pax and
 * GNU long names applied, the type flag ('0' file, '1' hard link, '2' symlink, '3'/'4' devices,
 * '5' directory, '6' fifo), mode bits (with setuid/setgid/sticky), owner, size and modification time.
 */
record TarEntry(String name, char type, int mode, long uid, long gid, long size, long mtimeSeconds, String linkName) {

    boolean isFile() {
        return type == '0' || type == '\0' || type == '7';
    }
}
