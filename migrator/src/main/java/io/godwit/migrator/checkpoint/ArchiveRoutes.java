package io.godwit.migrator.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.api.ApiRequest;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.api.Reply;
import io.godwit.migrator.api.Router;
import io.godwit.migrator.catalog.CheckpointRecord;
import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.runtime.ContainerName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The API of checkpoint archives (docs/API.md, docs/STORE.md). Both are operations; the path is the
 * daemon's (as for image imports: the local API is root's, and the CLI sends it absolute).
 * <pre>
 * POST /1.0/containers/{name}/checkpoints/{id}/export  {"path": "/abs/file"}  -> operation, result {"bytes": N}
 * POST /1.0/checkpoints/import                         {"path": "/abs/file"}  -> operation, result {"checkpoint": {...}}
 * </pre>
 */
public final class ArchiveRoutes {
    private final CheckpointService checkpoints;
    private final CheckpointTransfer transfer;
    private final OperationManager operations;

    public ArchiveRoutes(CheckpointService checkpoints, CheckpointTransfer transfer, OperationManager operations) {
        this.checkpoints = checkpoints;
        this.transfer = transfer;
        this.operations = operations;
    }

    public Router addTo(Router router) {
        return router.add("POST", "/1.0/containers/{name}/checkpoints/{id}/export", this::export)
                .add("POST", "/1.0/checkpoints/import", this::importArchive);
    }

    private Object export(ApiRequest r) throws Exception {
        String name = ContainerName.validate(r.param("name"));
        CheckpointRecord rec = checkpoints.pick(name, r.param("id"));
        Path file = path(r, false);
        Operation op = operations.start("checkpoint-export", name, o -> {
            o.phase("export");
            return Map.of("checkpoint", rec.id(), "path", file.toString(), "bytes", transfer.export(rec, file));
        });
        return Reply.accepted(op);
    }

    private Object importArchive(ApiRequest r) throws Exception {
        Path file = path(r, true);
        Operation op = operations.start("checkpoint-import", file.getFileName().toString(), o -> {
            o.phase("import");
            return Map.of("checkpoint", CheckpointService.describe(transfer.importArchive(file)));
        });
        return Reply.accepted(op);
    }

    private static Path path(ApiRequest r, boolean mustExist) {
        JsonNode p = r.json(Json.MAPPER).path("path");
        if (!p.isTextual() || !Path.of(p.asText()).isAbsolute()) {
            throw ApiException.badRequest("'path' must be an absolute path");
        }
        Path file = Path.of(p.asText()).normalize();
        if (mustExist ? !Files.isRegularFile(file) : !Files.isDirectory(file.getParent())) {
            throw ApiException.badRequest(mustExist ? "no such archive: " + file : "no such directory: " + file.getParent());
        }
        return file;
    }
}
