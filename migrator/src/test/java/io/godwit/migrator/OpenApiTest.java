package io.godwit.migrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.api.OpenApi;
import io.godwit.migrator.api.Router;
import io.godwit.migrator.cluster.Cluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document and the router agree both ways: every route the daemon answers is
 * documented, and every documented operation is a route (a route added without its documentation,
 * or a documented one removed, fails here).
 */
class OpenApiTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    /** The daemon's router as GodwitDaemon assembles it; the services are not touched to list routes. */
    private static Router daemonRouter() {
        return Cluster.none().routes(new io.godwit.migrator.checkpoint.ArchiveRoutes(null, null, null)
                .addTo(new DaemonApi(null, null, null, null, null, null, null, null, null, null).router()));
    }

    private static JsonNode document() throws Exception {
        return Json.MAPPER.readTree(OpenApi.document());
    }

    private static Set<String> documented(JsonNode doc) {
        Set<String> out = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (METHODS.contains(m)) {
                out.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }));
        return out;
    }

    @Test
    void everyRouteIsDocumented() throws Exception {
        Set<String> missing = new TreeSet<>(daemonRouter().routes());
        missing.removeAll(documented(document()));
        assertEquals(Set.of(), missing, "routes the daemon answers that openapi.json leaves out");
    }

    @Test
    void everyDocumentedOperationIsARoute() throws Exception {
        Set<String> extra = documented(document());
        daemonRouter().routes().forEach(extra::remove);
        assertEquals(Set.of(), extra, "operations openapi.json documents that the daemon does not answer");
    }

    @Test
    void theRouterHasNoRouteTwice() {
        List<String> routes = daemonRouter().routes();
        assertEquals(routes.size(), new TreeSet<>(routes).size(), routes.toString());
    }

    @Test
    void everyPathParameterIsDeclaredAndEveryReferenceResolves() throws Exception {
        JsonNode doc = document();
        assertTrue(doc.get("openapi").asText().startsWith("3."), "an OpenAPI 3 document");
        List<String> problems = new ArrayList<>();
        Pattern param = Pattern.compile("\\{([^}]+)}");
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> {
            Set<String> declared = new TreeSet<>();
            m.getValue().path("parameters").forEach(x -> {
                if (x.path("in").asText().equals("path")) {
                    declared.add(x.path("name").asText());
                }
            });
            Set<String> inPath = new TreeSet<>();
            Matcher mt = param.matcher(p.getKey());
            while (mt.find()) {
                inPath.add(mt.group(1));
            }
            if (!declared.equals(inPath)) {
                problems.add(m.getKey() + " " + p.getKey() + ": path parameters " + inPath + ", declared " + declared);
            }
            if (!m.getValue().has("responses") || m.getValue().get("responses").isEmpty()) {
                problems.add(m.getKey() + " " + p.getKey() + ": no responses");
            }
        }));
        for (JsonNode ref : doc.findValues("$ref")) {
            String r = ref.asText();
            if (doc.at(r.substring(1)).isMissingNode()) {
                problems.add("unresolved " + r);
            }
        }
        assertEquals(List.of(), problems);
    }
}
