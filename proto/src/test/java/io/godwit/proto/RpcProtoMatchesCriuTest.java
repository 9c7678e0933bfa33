package io.godwit.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.godwit.proto.criu.Rpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Our rpc.proto must be CRIU's, field for field: a wrong number or type would make CRIU
 * read a different option than the one we meant. The reference is the descriptor that the
 * installed CRIU ships for its Python client (python3-pycriu). scripts/setup unpacks that package
 * into build/pycriu (system property godwit.pycriu) instead of installing it, which would replace
 * the host's python3; it runs on the host's /usr/bin/python3 with bookworm's python3-protobuf.
 */
class RpcProtoMatchesCriuTest {

    private static final String DUMP_PYCRIU_DESCRIPTOR = """
            from pycriu import rpc_pb2
            from google.protobuf import descriptor_pb2 as d
            fd = d.FileDescriptorProto()
            rpc_pb2.DESCRIPTOR.CopyToProto(fd)
            for m in fd.message_type:
                for f in m.field:
                    dv = f.default_value if f.HasField('default_value') else ''
                    print('field', m.name, f.name, f.number, f.type, f.label, f.type_name.lstrip('.'), dv)
            for e in fd.enum_type:
                for v in e.value:
                    print('enum', e.name, v.name, v.number)
            """;

    @Test
    void everyMessageFieldAndEnumValueMatchesTheInstalledCriu() throws Exception {
        TreeSet<String> criu = new TreeSet<>(runPython(DUMP_PYCRIU_DESCRIPTOR));
        TreeSet<String> ours = new TreeSet<>();
        for (Descriptor m : Rpc.getDescriptor().getMessageTypes()) {
            for (FieldDescriptor f : m.toProto().getFieldList().stream()
                    .map(p -> m.findFieldByNumber(p.getNumber())).toList()) {
                var p = f.toProto();
                String dv = p.hasDefaultValue() ? p.getDefaultValue() : "";
                ours.add(String.join(" ", "field", m.getName(), f.getName(),
                        String.valueOf(f.getNumber()), String.valueOf(p.getType().getNumber()),
                        String.valueOf(p.getLabel().getNumber()), p.getTypeName().replaceFirst("^\\.", ""), dv).strip());
            }
        }
        for (EnumDescriptor e : Rpc.getDescriptor().getEnumTypes()) {
            e.getValues().forEach(v -> ours.add("enum " + e.getName() + " " + v.getName() + " " + v.getNumber()));
        }
        assertTrue(criu.size() > 100, "pycriu's descriptor looks empty: " + criu.size() + " entries");
        TreeSet<String> missing = new TreeSet<>(criu);
        missing.removeAll(ours);
        TreeSet<String> extra = new TreeSet<>(ours);
        extra.removeAll(criu);
        assertEquals("", String.join("\n", missing), "in CRIU's rpc.proto but not (or different) in ours");
        assertEquals("", String.join("\n", extra), "in our rpc.proto but not in CRIU's");
    }

    /** Where pycriu's modules are: the unpacked package, else (PYTHONPATH unset) the system's. */
    private static String pycriuPath() {
        String unpacked = System.getProperty("godwit.pycriu", "build/pycriu");
        return Path.of(unpacked, "usr/lib/python3/dist-packages").toAbsolutePath().toString();
    }

    private static List<String> runPython(String program) throws IOException, InterruptedException {
        Path output = Files.createTempFile("pycriu-descriptor", ".txt");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-c", program)
                .redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().put("PYTHONPATH", pycriuPath());
        Process p = pb.start();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        assertTrue(ended, "python3 with pycriu did not finish within 60 s:\n" + out);
        assertEquals(0, p.exitValue(), "/usr/bin/python3 with pycriu from " + pycriuPath()
                + " failed (scripts/setup unpacks it there):\n" + out);
        List<String> lines = new ArrayList<>();
        out.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
        return lines;
    }
}
