package io.godwit.migrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.api.ApiRequest;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.api.Reply;
import io.godwit.migrator.api.Router;
import io.godwit.runtime.ContainerName;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import io.godwit.runtime.image.ImageConfig;
import io.godwit.runtime.image.ImageInfo;
import io.godwit.runtime.image.ImageStore;
import io.godwit.runtime.image.InvalidImageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The API of images (docs/API.md). Paths are the daemon's (the local API is root's; the CLI sends
 * them absolute).
 * <pre>
 * GET    /1.0/images                               every image, with all its aliases
 * POST   /1.0/images  {"alias", "path"}            import a rootfs dir/tarball, OCI layout/archive or docker-archive
 * GET    /1.0/images/{image}                       one image (alias or fingerprint), with its config defaults
 * DELETE /1.0/images/{image}
 * POST   /1.0/images/{image}/aliases {"alias"}     one more alias (taken from the image that had it)
 * DELETE /1.0/images/{image}/aliases/{alias}       one alias less; the image stays
 * POST   /1.0/images/{image}/export {"path"}       an OCI archive at path -> {"path", "bytes"}
 * POST   /1.0/containers/{name}/publish {"alias"}  a stopped container's tree (image + changes) as a new image
 * </pre>
 */
final class ImageRoutes {
    private final ImageStore images;
    private final ContainerRuntime runtime;

    ImageRoutes(ImageStore images, ContainerRuntime runtime) {
        this.images = images;
        this.runtime = runtime;
    }

    Router addTo(Router router) {
        return router.add("GET", "/1.0/images", r -> images.list())
                .add("POST", "/1.0/images", this::importImage)
                .add("GET", "/1.0/images/{image}", r -> require(r.param("image")))
                .add("DELETE", "/1.0/images/{image}", this::deleteImage)
                .add("POST", "/1.0/images/{image}/aliases", this::addAlias)
                .add("DELETE", "/1.0/images/{image}/aliases/{alias}", this::removeAlias)
                .add("POST", "/1.0/images/{image}/export", this::export)
                .add("POST", "/1.0/containers/{name}/publish", this::publish);
    }

    record ImportRequest(String alias, String path) {
    }

    private Object importImage(ApiRequest r) throws Exception {
        ImportRequest req = r.bind(Json.MAPPER, ImportRequest.class);
        if (req.alias() == null || req.alias().isBlank() || req.path() == null) {
            throw ApiException.badRequest("'alias' and 'path' are required");
        }
        Path path = Path.of(req.path());
        if (!path.isAbsolute() || !Files.exists(path)) {
            throw ApiException.badRequest("image path must be an existing absolute path: " + req.path());
        }
        ImagePaths.requireOrdinary(path);
        try {
            return Reply.created(images.importImage(req.alias(), path, null));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (InvalidImageException e) { // a refused layer, a blob that fails its digest, a broken layout
            throw ApiException.badRequest("cannot import " + path + ": " + e.getMessage());
        }
    }

    private Object deleteImage(ApiRequest r) throws Exception {
        String image = r.param("image");
        require(image);
        try {
            images.delete(image);
        } catch (IllegalStateException inUse) {
            throw ApiException.conflict(inUse.getMessage());
        }
        return Map.of();
    }

    private Object addAlias(ApiRequest r) throws Exception {
        ImageInfo image = require(r.param("image"));
        String alias = aliasField(r);
        try {
            return Reply.created(images.addAlias(image.fingerprint(), alias));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private Object removeAlias(ApiRequest r) throws Exception {
        ImageInfo image = require(r.param("image"));
        String alias = r.param("alias");
        if (!image.aliases().contains(alias)) {
            throw ApiException.notFound("alias of image " + image.fingerprint(), alias);
        }
        return images.removeAlias(alias);
    }

    private Object export(ApiRequest r) throws Exception {
        ImageInfo image = require(r.param("image"));
        JsonNode p = r.json(Json.MAPPER).path("path");
        if (!p.isTextual() || !Path.of(p.asText()).isAbsolute()) {
            throw ApiException.badRequest("'path' must be an absolute path");
        }
        Path file = Path.of(p.asText()).normalize();
        if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
            throw ApiException.badRequest("no such directory: " + file.getParent());
        }
        if (Files.isDirectory(file)) {
            throw ApiException.badRequest(file + " is a directory: give the archive's file name");
        }
        return Map.of("fingerprint", image.fingerprint(), "path", file.toString(),
                "bytes", images.export(image.fingerprint(), file));
    }

    /**
     * The container's whole tree as it is now (its image with its changes on top, read through its
     * mounted root) becomes a new image, keeping the defaults of the image it was made from, as
     * {@code lxc publish} does. Only a stopped container: a running one could change under the copy.
     */
    private Object publish(ApiRequest r) throws Exception {
        String name = ContainerName.validate(r.param("name"));
        String alias = aliasField(r);
        ContainerState state = runtime.state(name);
        if (state.status() == ContainerState.Status.RUNNING || state.status() == ContainerState.Status.PAUSED) {
            throw ApiException.conflict("container " + name + " is " + state.status()
                    + ": stop it before publishing, so its files hold still");
        }
        runtime.changesDir(name); // mounts the container's root again if it is not (after a reboot)
        Path tree = runtime.rootfs(name);
        ImageConfig defaults = images.find(state.imageFingerprint()).map(ImageInfo::config).orElse(null);
        try {
            return Reply.created(images.importImage(alias, tree, defaults));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static String aliasField(ApiRequest r) {
        JsonNode a = r.json(Json.MAPPER).path("alias");
        if (!a.isTextual() || a.asText().isBlank()) {
            throw ApiException.badRequest("'alias' is required: a name such as web-base");
        }
        return a.asText();
    }

    private ImageInfo require(String image) throws Exception {
        try {
            return images.find(image).orElseThrow(() -> ApiException.notFound("image", image));
        } catch (IllegalArgumentException ambiguous) {
            throw ApiException.badRequest(ambiguous.getMessage());
        }
    }
}
