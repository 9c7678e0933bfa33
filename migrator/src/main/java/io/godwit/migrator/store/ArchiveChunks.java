package io.godwit.migrator.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The store's side of export and import: chunks leave in clear under portable names (SHA-256 of
 * their plain bytes, whatever this store calls them) and come in under this store's names, sealed
 * if it is encrypted.
 */
final class ArchiveChunks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ArchiveChunks() {
    }

    /** Writes each chunk of the checkpoint once (read and verified), then its portable chunk list. */
    static void export(ChunkStore store, StoreManifest local, ArchiveWriter out) throws IOException {
        ChunkNamer sha = ChunkNamer.sha256();
        Map<String, String> portable = new HashMap<>();
        for (StoredFile f : local.files()) {
            for (String name : f.chunks()) {
                if (!portable.containsKey(name)) {
                    byte[] plain;
                    try {
                        plain = store.read(name);
                    } catch (ChunkDamagedException e) {
                        throw e.inFile(f.path());
                    }
                    String p = sha.name(plain, plain.length);
                    out.chunk(HexFormat.of().parseHex(p), plain);
                    portable.put(name, p);
                }
            }
        }
        out.chunkList(JSON.writeValueAsBytes(rename(local, portable, sha.scheme())));
    }

    /** What an import read, once its end record checked out. */
    record Imported(byte[] manifest, StoreManifest chunks, Path rootfsTar) {
    }

    /**
     * Reads an archive, putting its chunks into the store (the caller holds the store's write hold
     * until it has written the checkpoint's chunks.json, and removes what it made if this throws).
     */
    static Imported read(ChunkStore store, InputStream in, Path scratch) throws IOException {
        Map<String, String> local = new HashMap<>();
        byte[][] manifest = new byte[1][];
        StoreManifest[] list = new StoreManifest[1];
        Path[] tar = new Path[1];
        boolean[] ended = {false};
        ArchiveReader.read(in, scratch, new ArchiveReader.Visitor() {
            @Override
            public void manifest(byte[] json) {
                manifest[0] = json;
            }

            @Override
            public void chunkList(byte[] json) throws IOException {
                list[0] = JSON.readValue(json, StoreManifest.class);
            }

            @Override
            public void chunk(String sha256, byte[] plain) throws IOException {
                local.put(sha256, store.put(plain, plain.length).name());
            }

            @Override
            public void rootfs(Path t) {
                tar[0] = t;
            }

            @Override
            public void end() {
                ended[0] = true;
            }
        });
        if (manifest[0] == null || list[0] == null || tar[0] == null || !ended[0]) {
            throw new IOException("the archive lacks its " + (manifest[0] == null ? "manifest"
                    : list[0] == null ? "chunk list" : "rootfs changes"));
        }
        if (!list[0].naming().equals("sha256")) {
            throw new IOException("the archive's chunk list names chunks by " + list[0].naming() + ", not sha256");
        }
        Set<String> wanted = new LinkedHashSet<>();
        list[0].files().forEach(f -> wanted.addAll(f.chunks()));
        for (String w : wanted) {
            if (!local.containsKey(w)) {
                throw new ChunkDamagedException(w, "is missing from the archive");
            }
        }
        return new Imported(manifest[0], rename(list[0], local, store.namer().scheme()), tar[0]);
    }

    private static StoreManifest rename(StoreManifest m, Map<String, String> names, String scheme) {
        List<StoredFile> files = new ArrayList<>();
        for (StoredFile f : m.files()) {
            files.add(new StoredFile(f.path(), f.size(), f.chunks().stream().map(names::get).toList()));
        }
        return new StoreManifest(m.format(), m.chunkSize(), scheme, files);
    }
}
